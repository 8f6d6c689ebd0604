import KeyValueStorage
public import OMSProto

/// `CreateShipment`: ships the whole rest of a paid order, or some of its
/// lines (split shipments). A shipment consumes the reservations of what it
/// ships: on-hand and reserved both go down, with a SHIPMENT ledger row per
/// warehouse, so `reserved == open reservations` keeps holding.
public struct CreateShipment: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.createShipment

    public init() {}

    public func validate(_ request: Oms_V1_CreateShipmentRequest, into validator: inout Validator) {
        validator.checkID(request.orderID, "order_id")
        for (index, line) in request.lines.enumerated() {
            validator.check(line.quantity > 0, "lines[\(index)].quantity", "must be positive")
        }
        validator.check(request.carrier.utf8.count <= 128, "carrier", "must be at most 128 bytes")
        validator.check(request.trackingNumber.utf8.count <= 128, "tracking_number", "must be at most 128 bytes")
    }

    public func apply(
        _ request: Oms_V1_CreateShipmentRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateShipmentResponse {
        let previous = try OrderRecord.load(request.orderID, in: context)
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

        let now = context.nowMillis
        let sequenceNumber = try MetaCounter.next(
            "shipment_id_sequence", transaction: &context.transaction, families: context.families)
        var shipment = Oms_V1_Shipment()
        shipment.id = SortableID.make(prefix: "shp_", millis: now, sequence: sequenceNumber)
        shipment.carrier = request.carrier
        shipment.trackingNumber = request.trackingNumber
        shipment.shippedAtMillis = now
        for (index, quantity) in wanted {
            try StockReservation.consume(
                &order, lineIndex: index, quantity: quantity, shipmentID: shipment.id, in: &context)
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
        try OrderRecord.write(
            order, previous: previous, action: fully ? "shipped" : "partially_shipped",
            detail: "\(shipment.id): " + shipment.lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
                + (request.carrier.isEmpty ? "" : " via \(request.carrier) \(request.trackingNumber)"),
            event: fully ? "order.shipped" : "order.partially_shipped", in: &context)
        return .with {
            $0.order = order
            $0.shipment = shipment
        }
    }
}

/// `AddTrackingEvent`: the carrier's news about a shipment. Once every
/// shipment is delivered the order is DELIVERED and its auto-complete timer
/// is set; a delivery exception flags the order (DELIVERY_EXCEPTION).
public struct AddTrackingEvent: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.addTrackingEvent

    public let policy: OrderPolicy

    public init(policy: OrderPolicy = .defaults) {
        self.policy = policy
    }

    public func validate(_ request: Oms_V1_AddTrackingEventRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.orderID, "order_id")
        validator.checkID(request.shipmentID, "shipment_id")
        validator.check(request.kind != .unspecified, "kind", "is required")
        if case .UNRECOGNIZED(let value) = request.kind { validator.check(false, "kind", "unknown kind \(value)") }
        validator.check(request.detail.utf8.count <= maxTextBytes, "detail", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_AddTrackingEventRequest, in context: inout CommandContext
    ) throws -> Oms_V1_AddTrackingEventResponse {
        let previous = try OrderRecord.load(request.orderID, in: context)
        var order = previous
        guard let slot = order.shipments.firstIndex(where: { $0.id == request.shipmentID }) else {
            throw DomainError(
                .notFound, "order \(order.id) has no shipment \(request.shipmentID)", reason: "SHIPMENT_NOT_FOUND")
        }
        let now = context.nowMillis
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
                TimerQueue.schedule(timer, transaction: &context.transaction, families: context.families)
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
        try OrderRecord.write(
            order, previous: previous, action: action,
            detail: "\(request.shipmentID) \(kindName)\(request.detail.isEmpty ? "" : ": \(request.detail)")",
            event: "order.\(action)", in: &context)
        return .with { $0.order = order }
    }
}
