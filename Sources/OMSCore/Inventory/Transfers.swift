import KeyValueStorage
public import OMSProto

// Inter-warehouse transfers with approval:
// REQUESTED → APPROVED (by someone else; the destination's `incoming`
// rises) or REJECTED → SHIPPED (TRANSFER_OUT rows at the source; the
// destination's `in_transit` rises; available never goes negative) →
// PARTIALLY_RECEIVED / RECEIVED (TRANSFER_IN rows at the destination; never
// more than shipped; closing with `complete` records the missing units as
// discrepancies and takes them out of incoming and in transit).

/// `RequestTransfer`: a transfer of lines the source has available, REQUESTED.
public struct RequestTransfer: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.requestTransfer

    public init() {}

    public func validate(_ request: Oms_V1_RequestTransferRequest, into validator: inout Validator) {
        guard let transfer = request.transfer else {
            return validator.check(false, "transfer", "is required")
        }
        validator.checkCode(transfer.fromWarehouseCode, "transfer.from_warehouse_code")
        validator.checkCode(transfer.toWarehouseCode, "transfer.to_warehouse_code")
        validator.check(
            transfer.fromWarehouseCode != transfer.toWarehouseCode, "transfer.to_warehouse_code",
            "must differ from from_warehouse_code")
        validator.check(
            transfer.note.utf8.count <= Inventory.maxReasonBytes, "transfer.note", "must be at most 500 bytes")
        validator.checkStockLines(
            transfer.lines.map { ($0.sku, $0.quantity, $0.fromLocationCode) }, field: "transfer.lines",
            locationName: "from_location_code")
    }

    public func apply(
        _ request: Oms_V1_RequestTransferRequest, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        let families = context.families
        var transfer = request.transfer!
        try Inventory.requireWarehouse(
            context.transaction, families: families, transfer.fromWarehouseCode, field: "transfer.from_warehouse_code")
        try Inventory.requireWarehouse(
            context.transaction, families: families, transfer.toWarehouseCode, field: "transfer.to_warehouse_code")
        for (index, line) in transfer.lines.enumerated() {
            try StockLedger.requireLocation(
                context.transaction, families: families, warehouse: transfer.fromWarehouseCode,
                code: line.fromLocationCode, field: "transfer.lines[\(index)].from_location_code")
            let level = try StockLedger.level(
                context.transaction, families: families, sku: line.sku, warehouse: transfer.fromWarehouseCode)
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
        let now = context.nowMillis
        let number = try MetaCounter.next("transfer_id_sequence", transaction: &context.transaction, families: families)
        transfer.id = SortableID.make(prefix: "trf_", millis: now, sequence: number)
        transfer.status = .requested
        transfer.requestedBy = context.actor
        transfer.decidedBy = ""
        transfer.rejectionReason = ""
        transfer.discrepancies = []
        transfer.version = 0
        transfer.createdAtMillis = now
        transfer.shippedAtMillis = 0
        transfer.receivedAtMillis = 0
        return try transfer.save(moves: [], event: "transfer.requested", in: &context)
    }
}

/// `ApproveTransfer`: by someone other than the requester; the lines count
/// as incoming at the destination.
public struct ApproveTransfer: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.approveTransfer

    public init() {}

    public func validate(_ request: Oms_V1_ApproveTransferRequest, into validator: inout Validator) {
        Approval.checkDecision(id: request.id, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_ApproveTransferRequest, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        try decideTransfer(request.id, rejection: nil, in: &context)
    }
}

/// `RejectTransfer`: by someone other than the requester, saying why; nothing moves.
public struct RejectTransfer: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.rejectTransfer

    public init() {}

    public func validate(_ request: Oms_V1_RejectTransferRequest, into validator: inout Validator) {
        Approval.checkDecision(id: request.id, reason: request.reason, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_RejectTransferRequest, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        try decideTransfer(request.id, rejection: request.reason, in: &context)
    }
}

/// Approves (`rejection` nil) or rejects a REQUESTED transfer.
private func decideTransfer(
    _ id: String, rejection: String?, in context: inout CommandContext
) throws -> Oms_V1_TransferResponse {
    var transfer = try Oms_V1_Transfer.stored(id, context.transaction, families: context.families)
    try transfer.requireStatus([.requested], to: rejection == nil ? "approved" : "rejected")
    try Approval.requireOtherThanRequester(context.actor, requestedBy: transfer.requestedBy, what: "transfer")
    transfer.decidedBy = context.actor
    if let rejection {
        transfer.status = .rejected
        transfer.rejectionReason = rejection
    } else {
        transfer.status = .approved
        for line in transfer.lines {
            try StockLedger.addExpected(
                &context.transaction, families: context.families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                incoming: line.quantity)
        }
    }
    return try transfer.save(
        moves: [], event: rejection == nil ? "transfer.approved" : "transfer.rejected", in: &context)
}

/// `ShipTransfer`: an APPROVED transfer leaves the source (TRANSFER_OUT
/// rows) and is in transit to the destination.
public struct ShipTransfer: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.shipTransfer

    public init() {}

    public func validate(_ request: Oms_V1_ShipTransferRequest, into validator: inout Validator) {
        validator.check(!request.id.isEmpty, "id", "must not be empty")
    }

    public func apply(
        _ request: Oms_V1_ShipTransferRequest, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        let families = context.families
        var transfer = try Oms_V1_Transfer.stored(request.id, context.transaction, families: families)
        try transfer.requireStatus([.approved], to: "shipped")
        var moves: [Oms_V1_StockMove] = []
        for (index, line) in transfer.lines.enumerated() {
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: line.sku, warehouse: transfer.fromWarehouseCode,
                location: line.fromLocationCode.isEmpty ? nil : line.fromLocationCode, kind: .transferOut,
                onHandDelta: -line.quantity, reservedDelta: 0,
                reason: "transfer \(transfer.id) to \(transfer.toWarehouseCode)", requestID: request.requestID,
                reference: "transfer:\(transfer.id)", actor: context.actor)
            moves += result.moves
            try StockLedger.addExpected(
                &context.transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                incoming: 0, inTransit: line.quantity)
            transfer.lines[index].shippedQuantity = line.quantity
        }
        transfer.status = .shipped
        transfer.shippedAtMillis = context.nowMillis
        return try transfer.save(moves: moves, event: "transfer.shipped", in: &context)
    }
}

/// `ReceiveTransfer`: some of a shipped transfer arrives (TRANSFER_IN rows,
/// never more than shipped); `complete` closes it, recording what is
/// missing as discrepancies.
public struct ReceiveTransfer: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.receiveTransfer

    public init() {}

    public func validate(_ request: Oms_V1_ReceiveTransferRequest, into validator: inout Validator) {
        validator.check(!request.id.isEmpty, "id", "must not be empty")
        validator.checkStockLines(
            request.lines.map { ($0.sku, $0.quantity, $0.locationCode) }, field: "lines", locationName: "location_code",
            allowEmpty: request.complete, uniqueSKUs: false)
    }

    public func apply(
        _ request: Oms_V1_ReceiveTransferRequest, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        let families = context.families
        var transfer = try Oms_V1_Transfer.stored(request.id, context.transaction, families: families)
        try transfer.requireStatus([.shipped, .partiallyReceived], to: "received")
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
                context.transaction, families: families, warehouse: transfer.toWarehouseCode, code: line.locationCode,
                field: "lines[\(index)].location_code")
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                location: line.locationCode, kind: .transferIn, onHandDelta: line.quantity, reservedDelta: 0,
                reason: "transfer \(transfer.id) from \(transfer.fromWarehouseCode)", requestID: request.requestID,
                reference: "transfer:\(transfer.id)", actor: context.actor)
            moves += result.moves
            try StockLedger.addExpected(
                &context.transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
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
                    &context.transaction, families: families, sku: line.sku, warehouse: transfer.toWarehouseCode,
                    incoming: -missing, inTransit: -missing)
            }
        }
        transfer.status = allIn || request.complete ? .received : .partiallyReceived
        if transfer.status == .received { transfer.receivedAtMillis = context.nowMillis }
        return try transfer.save(
            moves: moves, event: transfer.status == .received ? "transfer.received" : "transfer.partially_received",
            in: &context)
    }
}

extension Oms_V1_Transfer {
    /// The stored transfer `id`; NOT_FOUND naming `id` when there is none.
    static func stored(_ id: String, _ transaction: WriteTransaction, families: ColumnFamilies) throws -> Self {
        guard let bytes = try transaction.get(families.stock, StockLedger.transferKey(id)) else {
            throw DomainError(
                .notFound, "transfer \(id) not found",
                violations: [.init(field: "id", description: "unknown transfer")],
                reason: "TRANSFER_NOT_FOUND")
        }
        return try Self(serializedBytes: bytes)
    }

    func requireStatus(_ allowed: [Oms_V1_TransferStatus], to action: String) throws {
        guard allowed.contains(status) else {
            throw DomainError(
                .failedPrecondition, "transfer \(id) is \(status) and cannot be \(action)", reason: "TRANSFER_STATUS")
        }
    }

    /// Stores the transfer (version + 1), records its event, returns the response.
    mutating func save(
        moves: [Oms_V1_StockMove], event: String, in context: inout CommandContext
    ) throws -> Oms_V1_TransferResponse {
        version += 1
        updatedAtMillis = context.nowMillis
        context.transaction.put(context.families.stock, StockLedger.transferKey(id), serializedBytes())
        try context.record(event, resource: "transfer", id: id, payload: nil)
        var response = Oms_V1_TransferResponse()
        response.transfer = self
        response.moves = moves
        return response
    }
}

extension Inventory {
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
