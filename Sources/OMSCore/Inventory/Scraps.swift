import KeyValueStorage
public import OMSProto

/// Scrap with approval: REQUESTED → APPROVED (by someone other than the
/// requester; the stock leaves with SCRAP ledger rows and its value, at the
/// moving-average cost, is written off) or REJECTED (nothing moves).
extension Inventory {
    public static let requestScrapMethod = "/oms.v1.InventoryService/RequestScrap"
    public static let approveScrapMethod = "/oms.v1.InventoryService/ApproveScrap"
    public static let rejectScrapMethod = "/oms.v1.InventoryService/RejectScrap"

    public static func validate(_ request: Oms_V1_RequestScrapRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let scrap = request.scrap else {
            validator.check(false, "scrap", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkCode(scrap.warehouseCode, "scrap.warehouse_code")
        switch scrap.reason {
        case .damaged, .expired, .lost: break
        default: validator.check(false, "scrap.reason", "must be DAMAGED, EXPIRED or LOST")
        }
        validator.check(scrap.note.utf8.count <= maxReasonBytes, "scrap.note", "must be at most 500 bytes")
        validateLines(
            scrap.lines.map { ($0.sku, $0.quantity, $0.locationCode) }, field: "scrap.lines",
            locationName: "location_code", into: &validator)
        try validator.throwIfInvalid()
    }

    public func requestScrap(
        _ request: Oms_V1_RequestScrapRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_ScrapResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request, validate: Self.validate,
            apply: { try Self.applyRequestScrap(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    public func approveScrap(
        _ request: Oms_V1_ApproveScrapRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_ScrapResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in try Self.validateDecision(requestID: r.requestID, id: r.id) },
            apply: { transaction in
                var canonical = request
                canonical.requestID = ""
                return try Self.decideScrap(
                    id: request.id, requestID: request.requestID, canonical: canonical, method: Self.approveScrapMethod,
                    rejection: nil, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func rejectScrap(
        _ request: Oms_V1_RejectScrapRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_ScrapResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in
                try Self.validateDecision(requestID: r.requestID, id: r.id, reason: r.reason)
            },
            apply: { transaction in
                var canonical = request
                canonical.requestID = ""
                return try Self.decideScrap(
                    id: request.id, requestID: request.requestID, canonical: canonical, method: Self.rejectScrapMethod,
                    rejection: request.reason, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    static func saveScrap(
        _ scrap: inout Oms_V1_Scrap, moves: [Oms_V1_StockMove], event: String, method: String, requestID: String,
        actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_ScrapResponse, UInt64) {
        scrap.version += 1
        scrap.updatedAtMillis = transaction.now / 1_000_000
        transaction.put(store.families.stock, StockLedger.scrapKey(scrap.id), scrap.serializedBytes())
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: event, resourceType: "scrap", resourceID: scrap.id,
            actor: actor, requestID: requestID, method: method, payload: nil)
        var response = Oms_V1_ScrapResponse()
        response.scrap = scrap
        response.moves = moves
        return (response, sequence)
    }

    static func applyRequestScrap(
        _ request: Oms_V1_RequestScrapRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_ScrapResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: requestScrapMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var scrap = request.scrap!
            try requireWarehouse(transaction, families: families, scrap.warehouseCode, field: "scrap.warehouse_code")
            for (index, line) in scrap.lines.enumerated() {
                try StockLedger.requireLocation(
                    transaction, families: families, warehouse: scrap.warehouseCode, code: line.locationCode,
                    field: "scrap.lines[\(index)].location_code")
                let held: Int64
                if line.locationCode.isEmpty {
                    held = try StockLedger.level(
                        transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode
                    ).available
                } else {
                    held = try StockLedger.locationStock(
                        transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode,
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
            let now = transaction.now / 1_000_000
            let number = try MetaCounter.next("scrap_id_sequence", transaction: &transaction, families: families)
            scrap.id = SortableID.make(prefix: "scr_", millis: now, sequence: number)
            scrap.status = .requested
            scrap.requestedBy = actor
            scrap.decidedBy = ""
            scrap.rejectionReason = ""
            scrap.writtenOff = []
            scrap.version = 0
            scrap.createdAtMillis = now
            return try saveScrap(
                &scrap, moves: [], event: "scrap.requested", method: requestScrapMethod, requestID: request.requestID,
                actor: actor, store: store, transaction: &transaction)
        }
    }

    static func decideScrap<Request: ProtoMessage>(
        id: String, requestID: String, canonical: Request, method: String, rejection: String?, actor: String,
        store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_ScrapResponse, UInt64) {
        let families = store.families
        return try InventoryCommand.idempotent(
            method: method, requestID: requestID, canonical: canonical, families: families, transaction: &transaction
        ) { transaction in
            guard let bytes = try transaction.get(families.stock, StockLedger.scrapKey(id)) else {
                throw DomainError(
                    .notFound, "scrap \(id) not found", violations: [.init(field: "id", description: "unknown scrap")],
                    reason: "SCRAP_NOT_FOUND")
            }
            var scrap = try Oms_V1_Scrap(serializedBytes: bytes)
            guard scrap.status == .requested else {
                throw DomainError(
                    .failedPrecondition, "scrap \(id) is \(scrap.status) and cannot be decided again",
                    reason: "SCRAP_STATUS")
            }
            try InventoryCommand.requireOtherThanRequester(actor, requestedBy: scrap.requestedBy, what: "scrap")
            scrap.decidedBy = actor
            var moves: [Oms_V1_StockMove] = []
            if let rejection {
                scrap.status = .rejected
                scrap.rejectionReason = rejection
            } else {
                scrap.status = .approved
                var totals: [String: Int64] = [:]
                for (index, line) in scrap.lines.enumerated() {
                    let result = try StockLedger.applyAll(
                        &transaction, families: families, sku: line.sku, warehouse: scrap.warehouseCode,
                        location: line.locationCode.isEmpty ? nil : line.locationCode, kind: .scrap,
                        onHandDelta: -line.quantity, reservedDelta: 0,
                        reason: "scrap \(scrap.id) (\(scrap.reason))\(scrap.note.isEmpty ? "" : ": \(scrap.note)")",
                        requestID: requestID, reference: "scrap:\(scrap.id)", actor: actor)
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
            return try saveScrap(
                &scrap, moves: moves, event: rejection == nil ? "scrap.approved" : "scrap.rejected", method: method,
                requestID: requestID, actor: actor, store: store, transaction: &transaction)
        }
    }

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
