import KeyValueStorage
import OMSProto

/// The daemon's order timers (`timers` rows, due-time order), fired as the
/// store's clock passes them by the job `omsd/OrderTimers`: the payment
/// deadline cancels an order still unpaid, releasing its stock; the
/// auto-complete timer completes a delivered order and credits its
/// customer's loyalty points. A timer whose order has moved on does nothing.
enum OrderTimers {
    /// The job's name in audit rows (actor `omsd`, no request_id).
    static let job = "omsd/OrderTimers"

    /// Fires at most `limit` timers due now, earliest first, deleting each;
    /// returns how many fired.
    static func fireDue(limit: Int, policy: OrderPolicy, in context: inout CommandContext) throws -> Int {
        let families = context.families
        let due = try TimerQueue.due(
            nowMillis: context.nowMillis, limit: limit, transaction: context.transaction, families: families)
        for (key, timer) in due {
            context.transaction.delete(families.timers, key)
            guard let bytes = try context.transaction.get(families.orders, Array(timer.orderID.utf8)) else {
                continue
            }
            let order = try Oms_V1_Order(serializedBytes: bytes)
            switch timer.kind {
            case TimerQueue.paymentDeadline:
                try expire(order, in: &context)
            case TimerQueue.autoComplete:
                try autoComplete(order, policy: policy, in: &context)
            default:
                continue
            }
        }
        return due.count
    }

    /// The payment deadline passed: cancels the order if it is still unpaid.
    static func expire(_ previous: Oms_V1_Order, in context: inout CommandContext) throws {
        let now = context.nowMillis
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        let totals = previous.totals ?? Oms_V1_OrderTotals()
        // Paid in full or already moved on: the deadline no longer applies.
        guard totals.paidMinor < totals.totalMinor, lifecycle.allows(.expire) else { return }
        try lifecycle.apply(.expire)
        var order = previous
        try StockReservation.release(&order, reason: "order \(order.id) payment deadline passed", in: &context)
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        var newTotals = totals
        newTotals.refundDueMinor = totals.paidMinor - totals.refundedMinor
        order.totals = newTotals
        order.cancelledAtMillis = now
        order.cancelReason = "payment deadline passed"
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "expired",
            detail:
                "unpaid at the payment deadline (\(totals.paidMinor) of \(totals.totalMinor) paid); stock released, no fee",
            event: "order.expired", in: &context)
    }

    /// N days after delivery: the order completes and the customer earns points.
    static func autoComplete(_ previous: Oms_V1_Order, policy: OrderPolicy, in context: inout CommandContext) throws {
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        guard lifecycle.allows(.complete) else { return }
        try lifecycle.apply(.complete)
        let now = context.nowMillis
        var order = previous
        order.status = lifecycle.status
        order.completedAtMillis = now
        order.version += 1
        order.updatedAtMillis = now
        var detail = "completed \(policy.autoCompleteAfterDeliveryMillis / 86_400_000) days after delivery"
        let points = LoyaltyPoints.earned(totalMinor: order.totals?.totalMinor ?? 0, policy: policy)
        if let customer = try LoyaltyPoints.credit(points, to: order.customerID, policy: policy, in: &context) {
            detail += "; \(customer.id) earned \(points) points"
        }
        try OrderRecord.write(
            order, previous: previous, action: "completed", detail: detail, event: "order.completed", in: &context)
    }
}
