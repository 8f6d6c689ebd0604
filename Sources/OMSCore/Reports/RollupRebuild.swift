import KeyValueStorage
public import OMSProto

/// `RebuildRollups`: sums `OrderContribution` over every stored order and
/// compares the result with the `rollups` column family row by row; with
/// `repair` it rewrites the rows that differ. It runs as one command on the
/// single writer, so it sees a state no other write is half-way through
/// (writes wait while it runs: seconds for a million orders).
extension Reports {
    static let rebuildPageSize = 2048

    public func rebuildRollups(
        _ request: Oms_V1_RebuildRollupsRequest, actor: String
    ) async throws
        -> Oms_V1_RebuildRollupsResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            rebuildRollups(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    public func rebuildRollups(
        _ request: Oms_V1_RebuildRollupsRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_RebuildRollupsResponse, any Error>) -> Void
    ) {
        var validator = Validator()
        validator.check(
            (0...1000).contains(request.maxDifferences), "max_differences", "must be from 0 to 1000")
        validator.check(request.requestID.utf8.count <= 128, "request_id", "must be at most 128 bytes")
        do {
            try validator.throwIfInvalid()
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        let limit = request.maxDifferences == 0 ? 20 : Int(request.maxDifferences)
        DomainCommand.submit(
            store,
            { transaction in
                let families = store.families
                var response = Oms_V1_RebuildRollupsResponse()
                var expected: [[UInt8]: [Int64]] = [:]
                var after: [UInt8]?
                while true {
                    let page = try transaction.scan(
                        families.orders, prefix: [], after: after, limit: Self.rebuildPageSize)
                    for row in page {
                        let order = try Oms_V1_Order(serializedBytes: row.value)
                        response.ordersScanned += 1
                        for (key, values) in OrderContribution.rows(of: order) {
                            RollupRow.add(&expected[key, default: []], values)
                        }
                    }
                    guard page.count == Self.rebuildPageSize else { break }
                    after = page.last!.key
                }
                after = nil
                while true {
                    // The ledger rows only: keys from StockLedger.timeIndexTag on
                    // are the time index, the same moves a second time.
                    let page = try transaction.scan(
                        families.stockMoves, from: [], to: [StockLedger.timeIndexTag], after: after,
                        limit: Self.rebuildPageSize)
                    for row in page {
                        let (key, values) = OrderContribution.rows(of: try Oms_V1_StockMove(serializedBytes: row.value))
                        RollupRow.add(&expected[key, default: []], values)
                    }
                    guard page.count == Self.rebuildPageSize else { break }
                    after = page.last!.key
                }
                expected = expected.filter { $0.value.contains { $0 != 0 } }
                response.rowsExpected = Int64(expected.count)
                var stored: [[UInt8]: [Int64]] = [:]
                after = nil
                while true {
                    let page = try transaction.scan(
                        families.rollups, from: [], to: [RollupRow.namespaceEnd], after: after,
                        limit: Self.rebuildPageSize)
                    for row in page { stored[row.key] = RollupRow.decode(row.value) }
                    guard page.count == Self.rebuildPageSize else { break }
                    after = page.last!.key
                }
                response.rowsStored = Int64(stored.count)
                var different: [[UInt8]] = []
                for key in Set(expected.keys).union(stored.keys) {
                    let want = Self.normalized(expected[key])
                    let have = Self.normalized(stored[key])
                    if want != have { different.append(key) }
                }
                different.sort { KeyCodec.compare($0, $1) < 0 }
                response.rowsDifferent = Int64(different.count)
                for key in different.prefix(limit) {
                    var difference = Oms_V1_RollupDifference()
                    difference.key = Self.describe(key)
                    difference.stored = (stored[key] ?? []).map(String.init).joined(separator: ",")
                    difference.expected = (expected[key] ?? []).map(String.init).joined(separator: ",")
                    response.differences.append(difference)
                }
                if request.repair {
                    for key in different {
                        if let values = expected[key] {
                            transaction.put(families.rollups, key, RollupRow.encode(values))
                        } else {
                            transaction.delete(families.rollups, key)
                        }
                    }
                    response.repaired = !different.isEmpty
                }
                var audit = Oms_V1_AuditRecord()
                audit.atMillis = transaction.now / 1_000_000
                audit.actor = actor
                audit.method = Self.rebuildMethod
                audit.resourceType = "rollups"
                audit.resourceID = request.repair ? "repair" : "check"
                audit.requestID = request.requestID
                AuditLog.append(
                    audit, to: &transaction, families: families,
                    uniquifier: (1 << 63)
                        | (try MetaCounter.next("report_audit_sequence", transaction: &transaction, families: families))
                )
                return (response, 0)
            }, completion: completion)
    }

    /// Trailing zeros do not make a row different.
    static func normalized(_ values: [Int64]?) -> [Int64] {
        var values = values ?? []
        while values.last == 0 { values.removeLast() }
        return values
    }

    /// "sales_by_sku 2026-01-01T10:30Z USD web SKU-A" and the like.
    static func describe(_ key: [UInt8]) -> String {
        guard let table = key.first else { return "" }
        var reader = KeyCodec.Reader(Array(key.dropFirst()))
        guard let slot = try? reader.readUInt32() else { return "unknown \(key)" }
        let time = Self.utcLabel(millis: Int64(slot) * RollupRow.slotMillis)
        var parts: [String]
        switch table {
        case RollupRow.salesByChannel: parts = ["sales_by_channel"]
        case RollupRow.salesBySKU: parts = ["sales_by_sku"]
        case RollupRow.salesByCustomer: parts = ["sales_by_customer"]
        case RollupRow.salesByWarehouse: parts = ["sales_by_warehouse"]
        case RollupRow.salesByChannelDay:
            return ["sales_by_channel_day", String(utcLabel(millis: Int64(slot) * 86_400_000).prefix(10))]
                .joined(separator: " ") + " " + Self.describeTail(&reader)
        case RollupRow.fulfilmentDurations: parts = ["fulfilment_durations"]
        case RollupRow.fulfilmentExceptions: parts = ["fulfilment_exceptions"]
        case RollupRow.fulfilmentOrders: parts = ["fulfilment_orders"]
        case RollupRow.ratings: parts = ["ratings"]
        case RollupRow.stockMovements: parts = ["stock_movements"]
        default: parts = ["table_\(table)"]
        }
        parts.append(time)
        parts.append(describeTail(&reader))
        return parts.joined(separator: " ")
    }

    static func describeTail(_ reader: inout KeyCodec.Reader) -> String {
        var parts: [String] = []
        while !reader.isAtEnd, let text = try? reader.readString() { parts.append(text) }
        if !reader.isAtEnd { parts.append(reader.readRemaining().map(String.init).joined(separator: ".")) }
        return parts.joined(separator: " ")
    }

    static func utcLabel(millis: Int64) -> String {
        let days = millis / 86_400_000
        let minutes = (millis % 86_400_000) / 60_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(pad(month))-\(pad(day))T\(pad(minutes / 60)):\(pad(minutes % 60))Z"
    }
}
