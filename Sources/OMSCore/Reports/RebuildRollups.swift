import KeyValueStorage
public import OMSProto

/// `RebuildRollups`: sums `OrderContribution` over every stored order and
/// ledger row and compares the result with the `rollups` column family row
/// by row; with `repair` it rewrites the rows that differ. It runs as one
/// command on the single writer, so it sees a state no other write is
/// half-way through (writes wait while it runs: seconds for a million orders).
///
/// Its `request_id` is not an idempotency key (a check is always run again);
/// it is recorded in the audit row.
public struct RebuildRollups: WriteCommand {
    public static let method = Oms_V1_ReportService.Method.rebuildRollups
    static let pageSize = 2048

    public init() {}

    public static func requestID(of request: Oms_V1_RebuildRollupsRequest) -> String { "" }
    public func fingerprint(of request: Oms_V1_RebuildRollupsRequest) -> [UInt8] { [] }

    public func validate(_ request: Oms_V1_RebuildRollupsRequest, into validator: inout Validator) {
        validator.check(
            (0...1000).contains(request.maxDifferences), "max_differences", "must be from 0 to 1000")
        validator.check(request.requestID.utf8.count <= 128, "request_id", "must be at most 128 bytes")
    }

    public func apply(
        _ request: Oms_V1_RebuildRollupsRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RebuildRollupsResponse {
        let limit = request.maxDifferences == 0 ? 20 : Int(request.maxDifferences)
        let families = context.families
        var response = Oms_V1_RebuildRollupsResponse()
        var expected: [[UInt8]: [Int64]] = [:]
        var after: [UInt8]?
        while true {
            let page = try context.transaction.scan(
                families.orders, prefix: [], after: after, limit: Self.pageSize)
            for row in page {
                let order = try Oms_V1_Order(serializedBytes: row.value)
                response.ordersScanned += 1
                for (key, values) in OrderContribution.rows(of: order) {
                    RollupRow.add(&expected[key, default: []], values)
                }
            }
            guard page.count == Self.pageSize else { break }
            after = page.last!.key
        }
        after = nil
        while true {
            // The ledger rows only: keys from StockLedger.timeIndexTag on
            // are the time index, the same moves a second time.
            let page = try context.transaction.scan(
                families.stockMoves, from: [], to: [StockLedger.timeIndexTag], after: after,
                limit: Self.pageSize)
            for row in page {
                let (key, values) = OrderContribution.rows(of: try Oms_V1_StockMove(serializedBytes: row.value))
                RollupRow.add(&expected[key, default: []], values)
            }
            guard page.count == Self.pageSize else { break }
            after = page.last!.key
        }
        expected = expected.filter { $0.value.contains { $0 != 0 } }
        response.rowsExpected = Int64(expected.count)
        var stored: [[UInt8]: [Int64]] = [:]
        after = nil
        while true {
            let page = try context.transaction.scan(
                families.rollups, from: [], to: [RollupRow.namespaceEnd], after: after,
                limit: Self.pageSize)
            for row in page { stored[row.key] = RollupRow.decode(row.value) }
            guard page.count == Self.pageSize else { break }
            after = page.last!.key
        }
        response.rowsStored = Int64(stored.count)
        var different: [[UInt8]] = []
        for key in Set(expected.keys).union(stored.keys) {
            let want = Reports.normalized(expected[key])
            let have = Reports.normalized(stored[key])
            if want != have { different.append(key) }
        }
        different.sort { KeyCodec.compare($0, $1) < 0 }
        response.rowsDifferent = Int64(different.count)
        for key in different.prefix(limit) {
            var difference = Oms_V1_RollupDifference()
            difference.key = Reports.describe(key)
            difference.stored = (stored[key] ?? []).map(String.init).joined(separator: ",")
            difference.expected = (expected[key] ?? []).map(String.init).joined(separator: ",")
            response.differences.append(difference)
        }
        if request.repair {
            for key in different {
                if let values = expected[key] {
                    context.transaction.put(families.rollups, key, RollupRow.encode(values))
                } else {
                    context.transaction.delete(families.rollups, key)
                }
            }
            response.repaired = !different.isEmpty
        }
        try context.audit(
            resource: "rollups", id: request.repair ? "repair" : "check", sequence: Reports.auditSequence,
            requestID: request.requestID)
        return response
    }
}
