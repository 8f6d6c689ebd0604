import KeyValueStorage
public import OMSProto

/// Returns (RMAs): requested for delivered lines, then received — restocked
/// into a warehouse with a RETURN ledger row, or scrapped. Money goes back
/// with RefundOrder; a fully refunded returned order becomes REFUNDED.
extension Orders {
    public static let createReturnMethod = "/oms.v1.OrderService/CreateReturn"
    public static let receiveReturnMethod = "/oms.v1.OrderService/ReceiveReturn"

    public static func validate(_ request: Oms_V1_CreateReturnRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        for (index, line) in request.lines.enumerated() {
            validator.check(line.quantity > 0, "lines[\(index)].quantity", "must be positive")
        }
        validator.check(!request.reason.isEmpty, "reason", "must say why the goods come back")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_ReceiveReturnRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        validator.checkID(request.returnID, "return_id")
        if !request.scrap { validator.checkCode(request.warehouseCode, "warehouse_code") }
        try validator.throwIfInvalid()
    }

    public func createReturn(
        _ request: Oms_V1_CreateReturnRequest, actor: String
    ) async throws
        -> Oms_V1_CreateReturnResponse
    {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyCreateReturn)
    }

    public func createReturn(
        _ request: Oms_V1_CreateReturnRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreateReturnResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyCreateReturn, completion: completion)
    }

    public func receiveReturn(
        _ request: Oms_V1_ReceiveReturnRequest, actor: String
    ) async throws
        -> Oms_V1_ReceiveReturnResponse
    {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyReceiveReturn)
    }

    public func receiveReturn(
        _ request: Oms_V1_ReceiveReturnRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_ReceiveReturnResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyReceiveReturn, completion: completion)
    }

    static func applyCreateReturn(
        _ request: Oms_V1_CreateReturnRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_CreateReturnResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        return try idempotent(
            canonical, requestID: request.requestID, method: createReturnMethod, store: store, transaction: &transaction
        ) { transaction in
            let families = store.families
            let previous = try load(request.orderID, transaction: transaction, families: families)
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
            let now = transaction.now / 1_000_000
            let number = try MetaCounter.next("return_id_sequence", transaction: &transaction, families: families)
            var rma = Oms_V1_OrderReturn()
            rma.id = SortableID.make(prefix: "rma_", millis: now, sequence: number)
            rma.lines = lines
            rma.reason = request.reason
            rma.status = .requested
            rma.requestedAtMillis = now
            order.returns.append(rma)
            order.version += 1
            order.updatedAtMillis = now
            let sequence = try commit(
                order, previous: previous, action: "return_requested",
                detail: "\(rma.id): " + lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
                    + "; \(request.reason)",
                eventType: "order.return_requested", actor: actor, requestID: request.requestID,
                method: createReturnMethod, store: store, transaction: &transaction)
            return (
                Oms_V1_CreateReturnResponse.with {
                    $0.order = order
                    $0.rma = rma
                }, sequence
            )
        }
    }

    static func applyReceiveReturn(
        _ request: Oms_V1_ReceiveReturnRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_ReceiveReturnResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        return try idempotent(
            canonical, requestID: request.requestID, method: receiveReturnMethod, store: store,
            transaction: &transaction
        ) { transaction in
            let families = store.families
            let previous = try load(request.orderID, transaction: transaction, families: families)
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
                guard try transaction.get(families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil else {
                    throw DomainError(
                        .failedPrecondition, "warehouse \(request.warehouseCode) does not exist",
                        reason: "WAREHOUSE_NOT_FOUND")
                }
            }
            let now = transaction.now / 1_000_000
            for line in order.returns[slot].lines {
                order.lines[Int(line.lineIndex)].returnedQuantity += line.quantity
                if !request.scrap {
                    try StockLedger.apply(
                        &transaction, families: families, sku: line.sku, warehouse: request.warehouseCode,
                        kind: .return,
                        onHandDelta: line.quantity, reservedDelta: 0,
                        reason: "return \(request.returnID) of order \(order.id)", orderID: order.id,
                        requestID: request.requestID, actor: actor)
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
            let sequence = try commit(
                order, previous: previous, action: "return_received",
                detail: "\(request.returnID) \(request.scrap ? "scrapped" : "restocked in \(request.warehouseCode)")",
                eventType: "order.return_received", actor: actor, requestID: request.requestID,
                method: receiveReturnMethod, store: store, transaction: &transaction)
            return (Oms_V1_ReceiveReturnResponse.with { $0.order = order }, sequence)
        }
    }
}
