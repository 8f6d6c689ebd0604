import KeyValueStorage
public import OMSProto

/// Inter-warehouse transfers with approval:
/// REQUESTED → APPROVED (by someone else; the destination's `incoming`
/// rises) or REJECTED → SHIPPED (TRANSFER_OUT rows at the source; the
/// destination's `in_transit` rises; available never goes negative) →
/// PARTIALLY_RECEIVED / RECEIVED (TRANSFER_IN rows at the destination; never
/// more than shipped; closing with `complete` records the missing units as
/// discrepancies and takes them out of incoming and in transit).
extension Inventory {
    public static let requestTransferMethod = "/oms.v1.InventoryService/RequestTransfer"
    public static let approveTransferMethod = "/oms.v1.InventoryService/ApproveTransfer"
    public static let rejectTransferMethod = "/oms.v1.InventoryService/RejectTransfer"
    public static let shipTransferMethod = "/oms.v1.InventoryService/ShipTransfer"
    public static let receiveTransferMethod = "/oms.v1.InventoryService/ReceiveTransfer"

    // MARK: Validation

    public static func validate(_ request: Oms_V1_RequestTransferRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let transfer = request.transfer else {
            validator.check(false, "transfer", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkCode(transfer.fromWarehouseCode, "transfer.from_warehouse_code")
        validator.checkCode(transfer.toWarehouseCode, "transfer.to_warehouse_code")
        validator.check(
            transfer.fromWarehouseCode != transfer.toWarehouseCode, "transfer.to_warehouse_code",
            "must differ from from_warehouse_code")
        validator.check(transfer.note.utf8.count <= maxReasonBytes, "transfer.note", "must be at most 500 bytes")
        validateLines(
            transfer.lines.map { ($0.sku, $0.quantity, $0.fromLocationCode) }, field: "transfer.lines",
            locationName: "from_location_code", into: &validator)
        try validator.throwIfInvalid()
    }

    /// Lines of (sku, quantity, location): at least one, at most 1000, each
    /// sku once, quantity positive, location empty or a valid code.
    static func validateLines(
        _ lines: [(sku: String, quantity: Int64, location: String)], field: String, locationName: String,
        allowEmpty: Bool = false, uniqueSKUs: Bool = true, into validator: inout Validator
    ) {
        validator.check(allowEmpty || !lines.isEmpty, field, "must have at least one line")
        validator.check(lines.count <= maxPurchaseOrderLines, field, "must have at most \(maxPurchaseOrderLines) lines")
        var seen: Set<String> = []
        for (index, line) in lines.enumerated() {
            let prefix = "\(field)[\(index)]"
            validator.checkSKU(line.sku, "\(prefix).sku")
            if uniqueSKUs {
                validator.check(seen.insert(line.sku).inserted, "\(prefix).sku", "appears on more than one line")
            }
            validator.check(line.quantity > 0, "\(prefix).quantity", "must be positive")
            validator.check(line.quantity <= 1_000_000_000, "\(prefix).quantity", "must be at most 1000000000")
            if !line.location.isEmpty {
                validator.checkCode(line.location, "\(prefix).\(locationName)")
            }
        }
    }

    static func validateDecision(requestID: String, id: String, reason: String? = nil) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(requestID, into: &validator)
        validator.check(!id.isEmpty, "id", "must not be empty")
        if let reason {
            validator.check(!reason.isEmpty, "reason", "must say why")
            validator.check(reason.utf8.count <= maxReasonBytes, "reason", "must be at most 500 bytes")
        }
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_ReceiveTransferRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.check(!request.id.isEmpty, "id", "must not be empty")
        validateLines(
            request.lines.map { ($0.sku, $0.quantity, $0.locationCode) }, field: "lines", locationName: "location_code",
            allowEmpty: request.complete, uniqueSKUs: false, into: &validator)
        try validator.throwIfInvalid()
    }

    // MARK: Commands

    public func requestTransfer(
        _ request: Oms_V1_RequestTransferRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_TransferResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request, validate: Self.validate,
            apply: { try Self.applyRequestTransfer(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    public func approveTransfer(
        _ request: Oms_V1_ApproveTransferRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_TransferResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in try Self.validateDecision(requestID: r.requestID, id: r.id) },
            apply: { transaction in
                var canonical = request
                canonical.requestID = ""
                return try Self.decideTransfer(
                    id: request.id, requestID: request.requestID, canonical: canonical,
                    method: Self.approveTransferMethod, rejection: nil, actor: actor, store: store,
                    transaction: &transaction)
            }, completion: completion)
    }

    public func rejectTransfer(
        _ request: Oms_V1_RejectTransferRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_TransferResponse, any Error>) -> Void
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
                return try Self.decideTransfer(
                    id: request.id, requestID: request.requestID, canonical: canonical,
                    method: Self.rejectTransferMethod, rejection: request.reason, actor: actor, store: store,
                    transaction: &transaction)
            }, completion: completion)
    }

    public func shipTransfer(
        _ request: Oms_V1_ShipTransferRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_TransferResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in try Self.validateDecision(requestID: r.requestID, id: r.id) },
            apply: { try Self.applyShipTransfer(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    public func receiveTransfer(
        _ request: Oms_V1_ReceiveTransferRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_TransferResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request, validate: Self.validate,
            apply: { try Self.applyReceiveTransfer(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    static func loadTransfer(
        _ transaction: WriteTransaction, families: ColumnFamilies, id: String
    ) throws
        -> Oms_V1_Transfer
    {
        guard let bytes = try transaction.get(families.stock, StockLedger.transferKey(id)) else {
            throw DomainError(
                .notFound, "transfer \(id) not found",
                violations: [.init(field: "id", description: "unknown transfer")],
                reason: "TRANSFER_NOT_FOUND")
        }
        return try Oms_V1_Transfer(serializedBytes: bytes)
    }

    static func requireStatus(
        _ transfer: Oms_V1_Transfer, _ allowed: [Oms_V1_TransferStatus], to action: String
    )
        throws
    {
        guard allowed.contains(transfer.status) else {
            throw DomainError(
                .failedPrecondition, "transfer \(transfer.id) is \(transfer.status) and cannot be \(action)",
                reason: "TRANSFER_STATUS")
        }
    }

    /// Stores the transfer (version + 1), appends its event, returns the response.
    static func saveTransfer(
        _ transfer: inout Oms_V1_Transfer, moves: [Oms_V1_StockMove], event: String, method: String,
        requestID: String, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_TransferResponse, UInt64) {
        transfer.version += 1
        transfer.updatedAtMillis = transaction.now / 1_000_000
        transaction.put(store.families.stock, StockLedger.transferKey(transfer.id), transfer.serializedBytes())
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: event, resourceType: "transfer", resourceID: transfer.id,
            actor: actor, requestID: requestID, method: method, payload: nil)
        var response = Oms_V1_TransferResponse()
        response.transfer = transfer
        response.moves = moves
        return (response, sequence)
    }

    static func applyRequestTransfer(
        _ request: Oms_V1_RequestTransferRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_TransferResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: requestTransferMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var transfer = request.transfer!
            try requireWarehouse(
                transaction, families: families, transfer.fromWarehouseCode, field: "transfer.from_warehouse_code")
            try requireWarehouse(
                transaction, families: families, transfer.toWarehouseCode, field: "transfer.to_warehouse_code")
            for (index, line) in transfer.lines.enumerated() {
                try StockLedger.requireLocation(
                    transaction, families: families, warehouse: transfer.fromWarehouseCode,
                    code: line.fromLocationCode, field: "transfer.lines[\(index)].from_location_code")
                let level = try StockLedger.level(
                    transaction, families: families, sku: line.sku, warehouse: transfer.fromWarehouseCode)
                guard level.available >= line.quantity else {
                    throw DomainError(
                        .failedPrecondition,
                        "\(line.sku) in \(transfer.fromWarehouseCode): \(level.available) available, \(line.quantity) requested",
                        violations: [
                            .init(
                                field: "transfer.lines[\(index)].quantity",
                                description: "only \(level.available) available")
                        ], reason: "INSUFFICIENT_STOCK")
                }
                transfer.lines[index].shippedQuantity = 0
                transfer.lines[index].receivedQuantity = 0
            }
            let now = transaction.now / 1_000_000
            let number = try MetaCounter.next("transfer_id_sequence", transaction: &transaction, families: families)
            transfer.id = SortableID.make(prefix: "trf_", millis: now, sequence: number)
            transfer.status = .requested
            transfer.requestedBy = actor
            transfer.decidedBy = ""
            transfer.rejectionReason = ""
            transfer.discrepancies = []
            transfer.version = 0
            transfer.createdAtMillis = now
            transfer.shippedAtMillis = 0
            transfer.receivedAtMillis = 0
            return try saveTransfer(
                &transfer, moves: [], event: "transfer.requested", method: requestTransferMethod,
                requestID: request.requestID, actor: actor, store: store, transaction: &transaction)
        }
    }

    static func decideTransfer<Request: ProtoMessage>(
        id: String, requestID: String, canonical: Request, method: String, rejection: String?, actor: String,
        store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_TransferResponse, UInt64) {
        let families = store.families
        return try InventoryCommand.idempotent(
            method: method, requestID: requestID, canonical: canonical, families: families, transaction: &transaction
        ) { transaction in
            var transfer = try loadTransfer(transaction, families: families, id: id)
            try requireStatus(transfer, [.requested], to: rejection == nil ? "approved" : "rejected")
            try InventoryCommand.requireOtherThanRequester(actor, requestedBy: transfer.requestedBy, what: "transfer")
            transfer.decidedBy = actor
            if let rejection {
                transfer.status = .rejected
                transfer.rejectionReason = rejection
            } else {
                transfer.status = .approved
                for line in transfer.lines {
                    try StockLedger.addExpected(
                        &transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                        incoming: line.quantity)
                }
            }
            return try saveTransfer(
                &transfer, moves: [], event: rejection == nil ? "transfer.approved" : "transfer.rejected",
                method: method, requestID: requestID, actor: actor, store: store, transaction: &transaction)
        }
    }

    static func applyShipTransfer(
        _ request: Oms_V1_ShipTransferRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_TransferResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: shipTransferMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var transfer = try loadTransfer(transaction, families: families, id: request.id)
            try requireStatus(transfer, [.approved], to: "shipped")
            var moves: [Oms_V1_StockMove] = []
            for (index, line) in transfer.lines.enumerated() {
                let result = try StockLedger.applyAll(
                    &transaction, families: families, sku: line.sku, warehouse: transfer.fromWarehouseCode,
                    location: line.fromLocationCode.isEmpty ? nil : line.fromLocationCode, kind: .transferOut,
                    onHandDelta: -line.quantity, reservedDelta: 0,
                    reason: "transfer \(transfer.id) to \(transfer.toWarehouseCode)", requestID: request.requestID,
                    reference: "transfer:\(transfer.id)", actor: actor)
                moves += result.moves
                try StockLedger.addExpected(
                    &transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode, incoming: 0,
                    inTransit: line.quantity)
                transfer.lines[index].shippedQuantity = line.quantity
            }
            transfer.status = .shipped
            transfer.shippedAtMillis = transaction.now / 1_000_000
            return try saveTransfer(
                &transfer, moves: moves, event: "transfer.shipped", method: shipTransferMethod,
                requestID: request.requestID, actor: actor, store: store, transaction: &transaction)
        }
    }

    static func applyReceiveTransfer(
        _ request: Oms_V1_ReceiveTransferRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_TransferResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: receiveTransferMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var transfer = try loadTransfer(transaction, families: families, id: request.id)
            try requireStatus(transfer, [.shipped, .partiallyReceived], to: "received")
            var moves: [Oms_V1_StockMove] = []
            for (index, line) in request.lines.enumerated() {
                guard let slot = transfer.lines.firstIndex(where: { $0.sku == line.sku }) else {
                    throw DomainError(
                        .failedPrecondition, "\(line.sku) is not on transfer \(transfer.id)",
                        violations: [.init(field: "lines[\(index)].sku", description: "not on the transfer")],
                        reason: "SKU_NOT_ON_TRANSFER")
                }
                let shipped = transfer.lines[slot].shippedQuantity
                let before = transfer.lines[slot].receivedQuantity
                guard before + line.quantity <= shipped else {
                    throw DomainError(
                        .failedPrecondition,
                        "\(line.sku) on \(transfer.id): shipped \(shipped), received \(before), cannot receive \(line.quantity) more",
                        violations: [
                            .init(
                                field: "lines[\(index)].quantity",
                                description: "at most \(shipped - before) left to receive")
                        ], reason: "RECEIVED_MORE_THAN_SHIPPED")
                }
                try StockLedger.requireLocation(
                    transaction, families: families, warehouse: transfer.toWarehouseCode, code: line.locationCode,
                    field: "lines[\(index)].location_code")
                let result = try StockLedger.applyAll(
                    &transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                    location: line.locationCode, kind: .transferIn, onHandDelta: line.quantity, reservedDelta: 0,
                    reason: "transfer \(transfer.id) from \(transfer.fromWarehouseCode)", requestID: request.requestID,
                    reference: "transfer:\(transfer.id)", actor: actor)
                moves += result.moves
                try StockLedger.addExpected(
                    &transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                    incoming: -line.quantity, inTransit: -line.quantity)
                transfer.lines[slot].receivedQuantity = before + line.quantity
            }
            let allIn = transfer.lines.allSatisfy { $0.receivedQuantity == $0.shippedQuantity }
            if request.complete && !allIn {
                for line in transfer.lines where line.receivedQuantity < line.shippedQuantity {
                    let missing = line.shippedQuantity - line.receivedQuantity
                    var discrepancy = Oms_V1_TransferDiscrepancy()
                    discrepancy.sku = line.sku
                    discrepancy.shippedQuantity = line.shippedQuantity
                    discrepancy.receivedQuantity = line.receivedQuantity
                    discrepancy.missingQuantity = missing
                    transfer.discrepancies.append(discrepancy)
                    try StockLedger.addExpected(
                        &transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                        incoming: -missing, inTransit: -missing)
                }
            }
            transfer.status = allIn || request.complete ? .received : .partiallyReceived
            if transfer.status == .received { transfer.receivedAtMillis = transaction.now / 1_000_000 }
            return try saveTransfer(
                &transfer, moves: moves,
                event: transfer.status == .received ? "transfer.received" : "transfer.partially_received",
                method: receiveTransferMethod, requestID: request.requestID, actor: actor, store: store,
                transaction: &transaction)
        }
    }

    // MARK: Queries

    public func transfer(id: String) throws -> Oms_V1_Transfer {
        guard !id.isEmpty else { throw DomainError.invalid(field: "id", "must not be empty") }
        guard let bytes = try store.engine.get(store.families.stock, StockLedger.transferKey(id)) else {
            throw DomainError(
                .notFound, "transfer \(id) not found",
                violations: [.init(field: "id", description: "unknown transfer")],
                reason: "TRANSFER_NOT_FOUND")
        }
        return try Oms_V1_Transfer(serializedBytes: bytes)
    }
}
