import KeyValueStorage
public import OMSProto

// Scrap with approval: REQUESTED → APPROVED (by someone other than the
// requester; the stock leaves with SCRAP ledger rows and its value, at the
// moving-average cost, is written off) or REJECTED (nothing moves).

/// `RequestScrap`: scrap of stock the warehouse (or location) holds, REQUESTED.
public struct RequestScrap: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.requestScrap

    public init() {}

    public func validate(_ request: Oms_V1_RequestScrapRequest, into validator: inout Validator) {
        guard let scrap = request.scrap else {
            return validator.check(false, "scrap", "is required")
        }
        validator.checkCode(scrap.warehouseCode, "scrap.warehouse_code")
        switch scrap.reason {
        case .damaged, .expired, .lost: break
        default: validator.check(false, "scrap.reason", "must be DAMAGED, EXPIRED or LOST")
        }
        validator.check(scrap.note.utf8.count <= Inventory.maxReasonBytes, "scrap.note", "must be at most 500 bytes")
        validator.checkStockLines(
            scrap.lines.map { ($0.sku, $0.quantity, $0.locationCode) }, field: "scrap.lines",
            locationName: "location_code")
    }

    public func apply(
        _ request: Oms_V1_RequestScrapRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ScrapResponse {
        let families = context.families
        var scrap = request.scrap!
        try Inventory.requireWarehouse(
            context.transaction, families: families, scrap.warehouseCode, field: "scrap.warehouse_code")
        for (index, line) in scrap.lines.enumerated() {
            try StockLedger.requireLocation(
                context.transaction, families: families, warehouse: scrap.warehouseCode, code: line.locationCode,
                field: "scrap.lines[\(index)].location_code")
            let held: Int64
            if line.locationCode.isEmpty {
                held = try StockLedger.level(
                    context.transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode
                ).available
            } else {
                held = try StockLedger.locationStock(
                    context.transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode,
                    location: line.locationCode
                ).onHand
            }
            guard held >= line.quantity else {
                throw DomainError(
                    .failedPrecondition,
                    "\(line.sku) in \(scrap.warehouseCode): only \(held) can be scrapped, \(line.quantity) requested",
                    violations: [.init(field: "scrap.lines[\(index)].quantity", description: "only \(held) held")],
                    reason: "INSUFFICIENT_STOCK")
            }
            scrap.lines[index].writtenOffMinor = 0
            scrap.lines[index].currencyCode = ""
        }
        let now = context.nowMillis
        let number = try MetaCounter.next("scrap_id_sequence", transaction: &context.transaction, families: families)
        scrap.id = SortableID.make(prefix: "scr_", millis: now, sequence: number)
        scrap.status = .requested
        scrap.requestedBy = context.actor
        scrap.decidedBy = ""
        scrap.rejectionReason = ""
        scrap.writtenOff = []
        scrap.version = 0
        scrap.createdAtMillis = now
        return try scrap.save(moves: [], event: "scrap.requested", in: &context)
    }
}

/// `ApproveScrap`: by someone other than the requester; the stock leaves
/// (SCRAP rows) and its value at the average cost is written off.
public struct ApproveScrap: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.approveScrap

    public init() {}

    public func validate(_ request: Oms_V1_ApproveScrapRequest, into validator: inout Validator) {
        Approval.checkDecision(id: request.id, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_ApproveScrapRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ScrapResponse {
        try decideScrap(request.id, rejection: nil, in: &context)
    }
}

/// `RejectScrap`: by someone other than the requester, saying why; nothing moves.
public struct RejectScrap: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.rejectScrap

    public init() {}

    public func validate(_ request: Oms_V1_RejectScrapRequest, into validator: inout Validator) {
        Approval.checkDecision(id: request.id, reason: request.reason, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_RejectScrapRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ScrapResponse {
        try decideScrap(request.id, rejection: request.reason, in: &context)
    }
}

/// Approves (`rejection` nil) or rejects a REQUESTED scrap.
private func decideScrap(
    _ id: String, rejection: String?, in context: inout CommandContext
) throws -> Oms_V1_ScrapResponse {
    let families = context.families
    guard let bytes = try context.transaction.get(families.stock, StockLedger.scrapKey(id)) else {
        throw DomainError(
            .notFound, "scrap \(id) not found", violations: [.init(field: "id", description: "unknown scrap")],
            reason: "SCRAP_NOT_FOUND")
    }
    var scrap = try Oms_V1_Scrap(serializedBytes: bytes)
    guard scrap.status == .requested else {
        throw DomainError(
            .failedPrecondition, "scrap \(id) is \(scrap.status) and cannot be decided again", reason: "SCRAP_STATUS")
    }
    try Approval.requireOtherThanRequester(context.actor, requestedBy: scrap.requestedBy, what: "scrap")
    scrap.decidedBy = context.actor
    var moves: [Oms_V1_StockMove] = []
    if let rejection {
        scrap.status = .rejected
        scrap.rejectionReason = rejection
    } else {
        scrap.status = .approved
        var totals: [String: Int64] = [:]
        for (index, line) in scrap.lines.enumerated() {
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode,
                location: line.locationCode.isEmpty ? nil : line.locationCode, kind: .scrap,
                onHandDelta: -line.quantity, reservedDelta: 0,
                reason: "scrap \(scrap.id) (\(scrap.reason))\(scrap.note.isEmpty ? "" : ": \(scrap.note)")",
                requestID: context.requestID, reference: "scrap:\(scrap.id)", actor: context.actor)
            moves += result.moves
            let value = result.moves.reduce(Int64(0)) { $0 - $1.valueDeltaMinor }
            let currency = result.moves.last?.currencyCode ?? ""
            scrap.lines[index].writtenOffMinor = value
            scrap.lines[index].currencyCode = currency
            if !currency.isEmpty { totals[currency, default: 0] += value }
        }
        scrap.writtenOff = totals.keys.sorted().map { currency in
            var money = Oms_V1_Money()
            money.currencyCode = currency
            money.amountMinor = totals[currency]!
            return money
        }
    }
    return try scrap.save(moves: moves, event: rejection == nil ? "scrap.approved" : "scrap.rejected", in: &context)
}

extension Oms_V1_Scrap {
    /// Stores the scrap (version + 1), records its event, returns the response.
    mutating func save(
        moves: [Oms_V1_StockMove], event: String, in context: inout CommandContext
    ) throws -> Oms_V1_ScrapResponse {
        version += 1
        updatedAtMillis = context.nowMillis
        context.transaction.put(context.families.stock, StockLedger.scrapKey(id), serializedBytes())
        try context.record(event, resource: "scrap", id: id, payload: nil)
        var response = Oms_V1_ScrapResponse()
        response.scrap = self
        response.moves = moves
        return response
    }
}

extension Inventory {
    public func scrap(id: String) throws -> Oms_V1_Scrap {
        guard !id.isEmpty else { throw DomainError.invalid(field: "id", "must not be empty") }
        guard let bytes = try store.engine.get(store.families.stock, StockLedger.scrapKey(id)) else {
            throw DomainError(
                .notFound, "scrap \(id) not found", violations: [.init(field: "id", description: "unknown scrap")],
                reason: "SCRAP_NOT_FOUND")
        }
        return try Oms_V1_Scrap(serializedBytes: bytes)
    }
}
