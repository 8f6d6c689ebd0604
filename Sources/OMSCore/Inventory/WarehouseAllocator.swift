/// Chooses the warehouses that reserve an order's lines. The documented rule:
///
/// 1. Warehouses are tried in priority order (lower `priority` first, then code).
/// 2. The first warehouse that can fill *every* line on its own takes the
///    whole order (one parcel).
/// 3. Otherwise each line is split: it takes what it can from each warehouse
///    in priority order until it is filled.
/// 4. If the stock of all warehouses together cannot fill a sku, the order is
///    refused (FAILED_PRECONDITION naming the sku) and nothing is reserved.
///
/// Pure value logic: the caller loads availability and applies the result.
public struct WarehouseAllocator: Sendable {
    public struct Candidate: Sendable, Hashable {
        public var code: String
        public var priority: Int32
        public init(code: String, priority: Int32) {
            self.code = code
            self.priority = priority
        }
    }

    public struct Piece: Sendable, Hashable {
        public var lineIndex: Int
        public var warehouse: String
        public var quantity: Int64
        public var reason: String
    }

    /// Warehouses in the order they are tried.
    public let warehouses: [Candidate]

    public init(warehouses: [Candidate]) {
        self.warehouses = warehouses.sorted { ($0.priority, $0.code) < ($1.priority, $1.code) }
    }

    /// - Parameters:
    ///   - lines: (sku, quantity) per order line.
    ///   - available: available quantity by sku, then warehouse code.
    public func allocate(
        lines: [(sku: String, quantity: Int64)], available: [String: [String: Int64]]
    )
        throws(DomainError) -> [Piece]
    {
        var needed: [String: Int64] = [:]
        var skuOrder: [String] = []
        for line in lines {
            if needed[line.sku] == nil { skuOrder.append(line.sku) }
            needed[line.sku, default: 0] += line.quantity
        }
        for sku in skuOrder {
            let total = warehouses.reduce(Int64(0)) { $0 + max(0, available[sku]?[$1.code] ?? 0) }
            if total < needed[sku]! {
                throw DomainError(
                    .failedPrecondition,
                    "insufficient stock for sku \(sku): requested \(needed[sku]!), available \(total)",
                    violations: [.init(field: "order.lines", description: "sku \(sku): only \(total) available")],
                    reason: "INSUFFICIENT_STOCK")
            }
        }
        if let single = warehouses.first(where: { candidate in
            skuOrder.allSatisfy { (available[$0]?[candidate.code] ?? 0) >= needed[$0]! }
        }) {
            let reason =
                "single warehouse: \(single.code) (priority \(single.priority)) is the first by priority that can fill the whole order"
            return lines.indices.map {
                Piece(lineIndex: $0, warehouse: single.code, quantity: lines[$0].quantity, reason: reason)
            }
        }
        var remaining = available
        var pieces: [Piece] = []
        for (index, line) in lines.enumerated() {
            var missing = line.quantity
            for candidate in warehouses where missing > 0 {
                let free = remaining[line.sku]?[candidate.code] ?? 0
                guard free > 0 else { continue }
                let take = min(free, missing)
                remaining[line.sku]![candidate.code] = free - take
                missing -= take
                pieces.append(
                    Piece(
                        lineIndex: index, warehouse: candidate.code, quantity: take,
                        reason:
                            "split: no single warehouse can fill the order; \(candidate.code) (priority \(candidate.priority)) is next by priority with \(free) available"
                    ))
            }
            // Cannot happen after the totals check; kept as a guard.
            if missing > 0 {
                throw DomainError(
                    .failedPrecondition, "insufficient stock for sku \(line.sku)", reason: "INSUFFICIENT_STOCK")
            }
        }
        return pieces
    }
}
