import KeyValueStorage
public import OMSProto

/// `RateOrder`: customer feedback, one rating (1-5) and comment per
/// delivered order, summed into the customer's rating summary in the same
/// batch (with its own `customer.updated` event).
public struct RateOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.rateOrder

    public init() {}

    public func validate(_ request: Oms_V1_RateOrderRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.orderID, "order_id")
        validator.check((1...5).contains(request.rating), "rating", "must be from 1 to 5")
        validator.check(request.comment.utf8.count <= maxTextBytes, "comment", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_RateOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RateOrderResponse {
        let families = context.families
        let previous = try OrderRecord.load(request.orderID, in: context)
        guard [.delivered, .completed, .returned, .refunded].contains(previous.status) else {
            throw DomainError(
                .failedPrecondition,
                "order \(previous.id) is \(OrderLifecycle.name(previous.status)); only delivered orders can be rated",
                reason: "NOT_DELIVERED")
        }
        guard previous.feedback == nil else {
            throw DomainError(.alreadyExists, "order \(previous.id) is already rated", reason: "ALREADY_RATED")
        }
        let now = context.nowMillis
        var order = previous
        order.feedback = .with {
            $0.rating = request.rating
            $0.comment = request.comment
            $0.atMillis = now
        }
        order.version += 1
        order.updatedAtMillis = now
        if !order.customerID.isEmpty,
            let bytes = try context.transaction.get(families.customers, Array(order.customerID.utf8))
        {
            var customer = try Oms_V1_Customer(serializedBytes: bytes)
            customer.ratingsCount += 1
            customer.ratingsSum += Int64(request.rating)
            customer.version += 1
            customer.updatedAtMillis = now
            context.transaction.put(families.customers, Array(customer.id.utf8), customer.serializedBytes())
            try context.record("customer.updated", resource: "customer", id: customer.id, payload: .customer(customer))
        }
        try OrderRecord.write(
            order, previous: previous, action: "rated", detail: "\(request.rating)/5 \(request.comment)",
            event: "order.rated", in: &context)
        return .with { $0.order = order }
    }
}
