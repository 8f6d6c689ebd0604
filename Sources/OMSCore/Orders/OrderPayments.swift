import KeyValueStorage
public import OMSProto

/// `RecordPayment`: money in, in the order currency, never more than is
/// outstanding. Paid in full, the order is invoiced and its payment deadline
/// dropped; a partial payment leaves it awaiting the rest.
public struct RecordPayment: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.recordPayment

    public init() {}

    public func validate(_ request: Oms_V1_RecordPaymentRequest, into validator: inout Validator) {
        validator.checkID(request.orderID, "order_id")
        MoneyRules.validate(request.amount, field: "amount", required: true, into: &validator)
        if let amount = request.amount {
            validator.check(amount.amountMinor > 0, "amount.amount_minor", "must be positive")
        }
        validator.check(request.reference.utf8.count <= 256, "reference", "must be at most 256 bytes")
    }

    public func apply(
        _ request: Oms_V1_RecordPaymentRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RecordPaymentResponse {
        let families = context.families
        let previous = try OrderRecord.load(request.orderID, in: context)
        var order = previous
        let amount = request.amount!
        guard amount.currencyCode == order.currencyCode else {
            throw DomainError.invalid(
                field: "amount.currency_code",
                "must be the order currency \(order.currencyCode), got \(amount.currencyCode)")
        }
        var totals = order.totals ?? Oms_V1_OrderTotals()
        let outstanding = totals.totalMinor - totals.paidMinor
        var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
        let paysInFull = amount.amountMinor >= outstanding
        try lifecycle.apply(paysInFull ? .payInFull : .payPartially)
        guard amount.amountMinor <= outstanding else {
            throw DomainError(
                .failedPrecondition,
                "payment of \(amount.amountMinor) exceeds the outstanding \(outstanding) \(order.currencyCode) of order \(order.id)",
                violations: [
                    .init(field: "amount.amount_minor", description: "more than the outstanding \(outstanding)")
                ],
                reason: "OVERPAYMENT")
        }
        let now = context.nowMillis
        totals.paidMinor += amount.amountMinor
        order.totals = totals
        var payment = Oms_V1_Payment()
        payment.amount = amount
        payment.reference = request.reference
        payment.requestID = request.requestID
        payment.atMillis = now
        order.payments.append(payment)
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        if paysInFull {
            order.paidAtMillis = now
            order.invoiceNumber = try InvoiceNumber.next(transaction: &context.transaction, families: families)
            if order.paymentDueAtMillis > 0 {
                TimerQueue.cancel(
                    dueAtMillis: order.paymentDueAtMillis, orderID: order.id, transaction: &context.transaction,
                    families: families)
            }
        }
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "payment_recorded",
            detail:
                "paid \(amount.amountMinor) \(amount.currencyCode)\(request.reference.isEmpty ? "" : " (\(request.reference))"); \(totals.paidMinor) of \(totals.totalMinor) paid",
            event: paysInFull ? "order.paid" : "order.payment_recorded", in: &context)
        var response = Oms_V1_RecordPaymentResponse()
        response.order = order
        response.outstandingMinor = totals.totalMinor - totals.paidMinor
        return response
    }
}

/// `RefundOrder`: money back, full or partial, never more than was paid and
/// not yet refunded. A returned order refunded in full becomes REFUNDED.
public struct RefundOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.refundOrder

    public init() {}

    public func validate(_ request: Oms_V1_RefundOrderRequest, into validator: inout Validator) {
        validator.checkID(request.orderID, "order_id")
        MoneyRules.validate(request.amount, field: "amount", required: true, into: &validator)
        if let amount = request.amount {
            validator.check(amount.amountMinor > 0, "amount.amount_minor", "must be positive")
        }
    }

    public func apply(
        _ request: Oms_V1_RefundOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RefundOrderResponse {
        let previous = try OrderRecord.load(request.orderID, in: context)
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
        order.updatedAtMillis = context.nowMillis
        try OrderRecord.write(
            order, previous: previous, action: "refunded",
            detail:
                "refunded \(amount.amountMinor) \(amount.currencyCode) (\(totals.refundedMinor) of \(totals.paidMinor) paid)\(request.reason.isEmpty ? "" : ": \(request.reason)")",
            event: "order.refunded", in: &context)
        return .with { $0.order = order }
    }
}
