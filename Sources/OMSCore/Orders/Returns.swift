import KeyValueStorage
public import OMSProto

// Returns (RMAs): requested for delivered lines, then received — restocked
// into a warehouse with a RETURN ledger row, or scrapped. Money goes back
// with RefundOrder; a fully refunded returned order becomes REFUNDED.

/// `CreateReturn`: a return (RMA) of delivered units, all not yet promised
/// back by another return, or the lines and quantities given.
public struct CreateReturn: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.createReturn

    public init() {}

    public func validate(_ request: Oms_V1_CreateReturnRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.orderID, "order_id")
        for (index, line) in request.lines.enumerated() {
            validator.check(line.quantity > 0, "lines[\(index)].quantity", "must be positive")
        }
        validator.check(!request.reason.isEmpty, "reason", "must say why the goods come back")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_CreateReturnRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateReturnResponse {
        let families = context.families
        let previous = try OrderRecord.load(request.orderID, in: context)
        guard [.delivered, .completed, .returned].contains(previous.status) else {
            throw DomainError(
                .failedPrecondition,
                "cannot return goods of an order that is \(OrderLifecycle.name(previous.status)); only delivered orders",
                reason: "ILLEGAL_TRANSITION")
        }
        var order = previous
        // Units already promised back by open or received returns.
        var pending = [Int64](repeating: 0, count: order.lines.count)
        for rma in order.returns {
            for line in rma.lines where Int(line.lineIndex) < pending.count {
                pending[Int(line.lineIndex)] += line.quantity
            }
        }
        var lines: [Oms_V1_ReturnLine] = []
        if request.lines.isEmpty {
            for (index, line) in order.lines.enumerated() where line.shippedQuantity > pending[index] {
                lines.append(
                    .with {
                        $0.lineIndex = UInt32(index)
                        $0.quantity = line.shippedQuantity - pending[index]
                        $0.sku = line.sku
                    })
            }
        } else {
            for (position, line) in request.lines.enumerated() {
                let index = Int(line.lineIndex)
                guard index < order.lines.count else {
                    throw DomainError.invalid(
                        field: "lines[\(position)].line_index", "must name a line of the order")
                }
                let returnable = order.lines[index].shippedQuantity - pending[index]
                guard line.quantity <= returnable else {
                    throw DomainError(
                        .failedPrecondition,
                        "line \(index) (\(order.lines[index].sku)) has \(returnable) returnable units, not \(line.quantity)",
                        reason: "RETURN_EXCEEDS_SHIPPED")
                }
                pending[index] += line.quantity
                lines.append(
                    .with {
                        $0.lineIndex = UInt32(index)
                        $0.quantity = line.quantity
                        $0.sku = order.lines[index].sku
                    })
            }
        }
        guard !lines.isEmpty else {
            throw DomainError(
                .failedPrecondition, "order \(order.id) has nothing left to return", reason: "NOTHING_TO_RETURN")
        }
        let now = context.nowMillis
        let number = try MetaCounter.next("return_id_sequence", transaction: &context.transaction, families: families)
        var rma = Oms_V1_OrderReturn()
        rma.id = SortableID.make(prefix: "rma_", millis: now, sequence: number)
        rma.lines = lines
        rma.reason = request.reason
        rma.status = .requested
        rma.requestedAtMillis = now
        order.returns.append(rma)
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "return_requested",
            detail: "\(rma.id): " + lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
                + "; \(request.reason)",
            event: "order.return_requested", in: &context)
        return .with {
            $0.order = order
            $0.rma = rma
        }
    }
}

/// `ReceiveReturn`: the goods of a return arrived: restocked into a
/// warehouse (a RETURN ledger row per line) or scrapped; the order is RETURNED.
public struct ReceiveReturn: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.receiveReturn

    public init() {}

    public func validate(_ request: Oms_V1_ReceiveReturnRequest, into validator: inout Validator) {
        validator.checkID(request.orderID, "order_id")
        validator.checkID(request.returnID, "return_id")
        if !request.scrap { validator.checkCode(request.warehouseCode, "warehouse_code") }
    }

    public func apply(
        _ request: Oms_V1_ReceiveReturnRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ReceiveReturnResponse {
        let families = context.families
        let previous = try OrderRecord.load(request.orderID, in: context)
        var order = previous
        guard let slot = order.returns.firstIndex(where: { $0.id == request.returnID }) else {
            throw DomainError(
                .notFound, "order \(order.id) has no return \(request.returnID)", reason: "RETURN_NOT_FOUND")
        }
        guard order.returns[slot].status == .requested else {
            throw DomainError(
                .failedPrecondition, "return \(request.returnID) was already received", reason: "RETURN_RECEIVED")
        }
        if !request.scrap {
            guard try context.transaction.get(families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil
            else {
                throw DomainError(
                    .failedPrecondition, "warehouse \(request.warehouseCode) does not exist",
                    reason: "WAREHOUSE_NOT_FOUND")
            }
        }
        let now = context.nowMillis
        for line in order.returns[slot].lines {
            order.lines[Int(line.lineIndex)].returnedQuantity += line.quantity
            if !request.scrap {
                try StockLedger.apply(
                    &context.transaction, families: families, sku: line.sku, warehouse: request.warehouseCode,
                    kind: .return,
                    onHandDelta: line.quantity, reservedDelta: 0,
                    reason: "return \(request.returnID) of order \(order.id)", orderID: order.id,
                    requestID: context.requestID, actor: context.actor)
            }
        }
        order.returns[slot].status = .received
        order.returns[slot].receivedAtMillis = now
        order.returns[slot].warehouseCode = request.scrap ? "" : request.warehouseCode
        order.returns[slot].scrapped = request.scrap
        var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
        if order.status != .returned { try lifecycle.apply(.receiveReturn) }
        order.status = lifecycle.status
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "return_received",
            detail: "\(request.returnID) \(request.scrap ? "scrapped" : "restocked in \(request.warehouseCode)")",
            event: "order.return_received", in: &context)
        return .with { $0.order = order }
    }
}
