import KeyValueStorage
public import OMSProto

/// Shipping, tracking and refunds. A shipment consumes the reservations of
/// what it ships: on-hand and reserved both go down, with a SHIPMENT ledger
/// row per warehouse, so `reserved == open reservations` keeps holding.
extension Orders {
    public static let shipmentMethod = "/oms.v1.OrderService/CreateShipment"
    public static let trackingMethod = "/oms.v1.OrderService/AddTrackingEvent"
    public static let refundMethod = "/oms.v1.OrderService/RefundOrder"

    public static func validate(_ request: Oms_V1_CreateShipmentRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        for (index, line) in request.lines.enumerated() {
            validator.check(line.quantity > 0, "lines[\(index)].quantity", "must be positive")
        }
        validator.check(request.carrier.utf8.count <= 128, "carrier", "must be at most 128 bytes")
        validator.check(request.trackingNumber.utf8.count <= 128, "tracking_number", "must be at most 128 bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_AddTrackingEventRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        validator.checkID(request.shipmentID, "shipment_id")
        validator.check(request.kind != .unspecified, "kind", "is required")
        if case .UNRECOGNIZED(let value) = request.kind { validator.check(false, "kind", "unknown kind \(value)") }
        validator.check(request.detail.utf8.count <= maxTextBytes, "detail", "must be at most \(maxTextBytes) bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_RefundOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        MoneyRules.validate(request.amount, field: "amount", required: true, into: &validator)
        if let amount = request.amount {
            validator.check(amount.amountMinor > 0, "amount.amount_minor", "must be positive")
        }
        try validator.throwIfInvalid()
    }

    public func ship(
        _ request: Oms_V1_CreateShipmentRequest, actor: String
    ) async throws
        -> Oms_V1_CreateShipmentResponse
    {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyShipment)
    }

    public func ship(
        _ request: Oms_V1_CreateShipmentRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreateShipmentResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyShipment, completion: completion)
    }

    public func track(
        _ request: Oms_V1_AddTrackingEventRequest, actor: String
    ) async throws
        -> Oms_V1_AddTrackingEventResponse
    {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyTracking)
    }

    public func track(
        _ request: Oms_V1_AddTrackingEventRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_AddTrackingEventResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyTracking, completion: completion)
    }

    public func refund(_ request: Oms_V1_RefundOrderRequest, actor: String) async throws -> Oms_V1_RefundOrderResponse {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyRefund)
    }

    public func refund(
        _ request: Oms_V1_RefundOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_RefundOrderResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyRefund, completion: completion)
    }

    static func applyShipment(
        _ request: Oms_V1_CreateShipmentRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_CreateShipmentResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: shipmentMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let families = store.families
            let previous = try load(request.orderID, transaction: transaction, families: families)
            var order = previous
            var wanted: [(index: Int, quantity: Int64)] = []
            if request.lines.isEmpty {
                for (index, line) in order.lines.enumerated() where line.quantity > line.shippedQuantity {
                    wanted.append((index, line.quantity - line.shippedQuantity))
                }
            } else {
                var seen: Set<Int> = []
                for (position, line) in request.lines.enumerated() {
                    let index = Int(line.lineIndex)
                    guard index < order.lines.count, seen.insert(index).inserted else {
                        throw DomainError.invalid(
                            field: "lines[\(position)].line_index", "must name a line of the order once")
                    }
                    let outstanding = order.lines[index].quantity - order.lines[index].shippedQuantity
                    guard line.quantity <= outstanding else {
                        throw DomainError(
                            .failedPrecondition,
                            "line \(index) (\(order.lines[index].sku)) has \(outstanding) left to ship, not \(line.quantity)",
                            violations: [
                                .init(field: "lines[\(position)].quantity", description: "more than left to ship")
                            ],
                            reason: "OVERSHIPMENT")
                    }
                    wanted.append((index, line.quantity))
                }
            }
            guard !wanted.isEmpty else {
                throw DomainError(
                    .failedPrecondition, "order \(order.id) has nothing left to ship", reason: "NOTHING_TO_SHIP")
            }
            let fully = order.lines.enumerated().allSatisfy { index, line in
                line.shippedQuantity + (wanted.first { $0.index == index }?.quantity ?? 0) == line.quantity
            }
            var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
            try lifecycle.apply(fully ? .shipFully : .shipPartially)

            let now = transaction.now / 1_000_000
            let sequenceNumber = try MetaCounter.next(
                "shipment_id_sequence", transaction: &transaction, families: families)
            var shipment = Oms_V1_Shipment()
            shipment.id = SortableID.make(prefix: "shp_", millis: now, sequence: sequenceNumber)
            shipment.carrier = request.carrier
            shipment.trackingNumber = request.trackingNumber
            shipment.shippedAtMillis = now
            for (index, quantity) in wanted {
                try consume(
                    &order, lineIndex: index, quantity: quantity, shipmentID: shipment.id,
                    requestID: request.requestID, actor: actor, transaction: &transaction, families: families)
                order.lines[index].shippedQuantity += quantity
                shipment.lines.append(
                    .with {
                        $0.lineIndex = UInt32(index)
                        $0.quantity = quantity
                        $0.sku = order.lines[index].sku
                    })
            }
            order.shipments.append(shipment)
            order.status = lifecycle.status
            order.heldFrom = lifecycle.heldFrom
            order.version += 1
            order.updatedAtMillis = now
            let sequence = try commit(
                order, previous: previous, action: fully ? "shipped" : "partially_shipped",
                detail: "\(shipment.id): " + shipment.lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
                    + (request.carrier.isEmpty ? "" : " via \(request.carrier) \(request.trackingNumber)"),
                eventType: fully ? "order.shipped" : "order.partially_shipped", actor: actor,
                requestID: request.requestID, method: shipmentMethod, store: store, transaction: &transaction)
            return (
                Oms_V1_CreateShipmentResponse.with {
                    $0.order = order
                    $0.shipment = shipment
                }, sequence
            )
        }
    }

    /// Takes `quantity` of a line from its reservations, warehouse by
    /// warehouse in allocation order, writing SHIPMENT ledger rows.
    static func consume(
        _ order: inout Oms_V1_Order, lineIndex: Int, quantity: Int64, shipmentID: String, requestID: String,
        actor: String, transaction: inout WriteTransaction, families: ColumnFamilies
    ) throws {
        var missing = quantity
        for slot in order.lines[lineIndex].reservations.indices where missing > 0 {
            let warehouse = order.lines[lineIndex].reservations[slot].warehouseCode
            let key = reservationKey(orderID: order.id, lineIndex: lineIndex, warehouse: warehouse)
            guard let bytes = try transaction.get(families.reservations, key) else { continue }
            var record = try Oms_V1_ReservationRecord(serializedBytes: bytes)
            let take = min(record.quantity, missing)
            try StockLedger.apply(
                &transaction, families: families, sku: record.sku, warehouse: warehouse, kind: .shipment,
                onHandDelta: -take, reservedDelta: -take, reason: "shipment \(shipmentID) of order \(order.id)",
                orderID: order.id, requestID: requestID, actor: actor)
            record.quantity -= take
            missing -= take
            if record.quantity == 0 {
                transaction.delete(families.reservations, key)
                order.lines[lineIndex].reservations[slot].released = true
            } else {
                transaction.put(families.reservations, key, record.serializedBytes())
            }
        }
        guard missing == 0 else {
            throw DomainError(
                .internalError, "order \(order.id) line \(lineIndex) has less reserved than it ships",
                reason: "RESERVATION_MISSING")
        }
    }

    static func applyTracking(
        _ request: Oms_V1_AddTrackingEventRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_AddTrackingEventResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: trackingMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let previous = try load(request.orderID, transaction: transaction, families: store.families)
            var order = previous
            guard let slot = order.shipments.firstIndex(where: { $0.id == request.shipmentID }) else {
                throw DomainError(
                    .notFound, "order \(order.id) has no shipment \(request.shipmentID)", reason: "SHIPMENT_NOT_FOUND")
            }
            let now = transaction.now / 1_000_000
            order.shipments[slot].events.append(
                .with {
                    $0.kind = request.kind
                    $0.detail = request.detail
                    $0.atMillis = now
                })
            var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
            var action = "tracking"
            switch request.kind {
            case .delivered:
                order.shipments[slot].delivered = true
                action = "shipment_delivered"
                if order.shipments.allSatisfy(\.delivered) && lifecycle.allows(.deliver) {
                    try lifecycle.apply(.deliver)
                    action = "delivered"
                    order.deliveredAtMillis = now
                    var timer = Oms_V1_OrderTimer()
                    timer.kind = TimerQueue.autoComplete
                    timer.orderID = order.id
                    timer.dueAtMillis = now + policy.autoCompleteAfterDeliveryMillis
                    TimerQueue.schedule(timer, transaction: &transaction, families: store.families)
                }
            case .exception:
                action = "delivery_exception"
                if !order.flags.contains(.deliveryException) { order.flags.append(.deliveryException) }
                order.holdReasons.append("delivery exception on \(request.shipmentID): \(request.detail)")
            default:
                break
            }
            order.status = lifecycle.status
            order.version += 1
            order.updatedAtMillis = now
            let kindName = String(request.kind.protoName.dropFirst("TRACKING_EVENT_KIND_".count)).lowercased()
            let sequence = try commit(
                order, previous: previous, action: action,
                detail: "\(request.shipmentID) \(kindName)\(request.detail.isEmpty ? "" : ": \(request.detail)")",
                eventType: "order.\(action)", actor: actor, requestID: request.requestID, method: trackingMethod,
                store: store, transaction: &transaction)
            return (Oms_V1_AddTrackingEventResponse.with { $0.order = order }, sequence)
        }
    }

    static func applyRefund(
        _ request: Oms_V1_RefundOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_RefundOrderResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: refundMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let previous = try load(request.orderID, transaction: transaction, families: store.families)
            var order = previous
            let amount = request.amount!
            guard amount.currencyCode == order.currencyCode else {
                throw DomainError.invalid(
                    field: "amount.currency_code",
                    "must be the order currency \(order.currencyCode), got \(amount.currencyCode)")
            }
            var totals = order.totals ?? Oms_V1_OrderTotals()
            let refundable = totals.paidMinor - totals.refundedMinor
            guard amount.amountMinor <= refundable else {
                throw DomainError(
                    .failedPrecondition,
                    "refund of \(amount.amountMinor) exceeds the \(refundable) \(order.currencyCode) paid and not yet refunded",
                    violations: [.init(field: "amount.amount_minor", description: "more than paid")],
                    reason: "REFUND_EXCEEDS_PAID")
            }
            totals.refundedMinor += amount.amountMinor
            totals.refundDueMinor = max(0, totals.refundDueMinor - amount.amountMinor)
            order.totals = totals
            var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
            if order.status == .returned && totals.refundedMinor == totals.paidMinor { try lifecycle.apply(.refund) }
            order.status = lifecycle.status
            order.version += 1
            order.updatedAtMillis = transaction.now / 1_000_000
            let sequence = try commit(
                order, previous: previous, action: "refunded",
                detail:
                    "refunded \(amount.amountMinor) \(amount.currencyCode) (\(totals.refundedMinor) of \(totals.paidMinor) paid)\(request.reason.isEmpty ? "" : ": \(request.reason)")",
                eventType: "order.refunded", actor: actor, requestID: request.requestID, method: refundMethod,
                store: store, transaction: &transaction)
            return (Oms_V1_RefundOrderResponse.with { $0.order = order }, sequence)
        }
    }
}
