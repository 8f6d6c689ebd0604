import KeyValueStorage
public import OMSProto

/// `ApproveOrder`: releases an order held by the automatic review, or adds
/// one manual approval to an order pending review; it moves on to payment
/// once approved by as many different users as its total requires.
public struct ApproveOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.approveOrder

    public init() {}

    public func validate(_ request: Oms_V1_ApproveOrderRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.id, "id")
        validator.check(request.comment.utf8.count <= maxTextBytes, "comment", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_ApproveOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ApproveOrderResponse {
        let actor = context.actor
        let previous = try OrderRecord.load(request.id, in: context)
        var order = previous
        var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
        let now = context.nowMillis
        var detail: [String] = []
        if order.status == .onHold {
            try lifecycle.apply(.release)
            detail.append("hold released (\(order.holdReasons.joined(separator: "; ")))")
            order.flags = []
            order.holdReasons = []
        } else if order.status != .pendingReview {
            try lifecycle.apply(.approve)  // throws naming the state
        }
        if lifecycle.status == .pendingReview {
            guard !order.approvals.contains(where: { $0.actor == actor }) else {
                throw DomainError(
                    .failedPrecondition,
                    "\(actor) already approved order \(order.id); it needs approvals by \(order.approvalsRequired) different users",
                    reason: "ALREADY_APPROVED")
            }
            order.approvals.append(
                .with {
                    $0.actor = actor
                    $0.atMillis = now
                    $0.comment = request.comment
                })
            detail.append("approval \(order.approvals.count) of \(order.approvalsRequired) by \(actor)")
            if order.approvals.count >= Int(order.approvalsRequired) { try lifecycle.apply(.approve) }
        }
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "approved", detail: detail.joined(separator: "; "),
            event: "order.approved", in: &context)
        return .with { $0.order = order }
    }
}

/// `RejectOrder`: refuses an order pending review (or cancels one on hold),
/// releasing its stock; whatever was paid is due back.
public struct RejectOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.rejectOrder

    public init() {}

    public func validate(_ request: Oms_V1_RejectOrderRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.id, "id")
        validator.check(!request.reason.isEmpty, "reason", "must say why the order is rejected")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_RejectOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RejectOrderResponse {
        let previous = try OrderRecord.load(request.id, in: context)
        var order = previous
        var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
        try lifecycle.apply(order.status == .onHold ? .cancel : .reject)
        try StockReservation.release(&order, reason: "order \(order.id) rejected", in: &context)
        let now = context.nowMillis
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        order.cancelledAtMillis = now
        order.cancelReason = "rejected: \(request.reason)"
        var totals = order.totals ?? Oms_V1_OrderTotals()
        totals.refundDueMinor = totals.paidMinor - totals.refundedMinor
        order.totals = totals
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "rejected", detail: request.reason, event: "order.rejected",
            in: &context)
        return .with { $0.order = order }
    }
}
