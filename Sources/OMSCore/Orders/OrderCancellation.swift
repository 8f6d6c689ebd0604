import KeyValueStorage
public import OMSProto

/// `CancelOrder`: cancels an order before it ships, releasing its stock. The
/// policy's fee rule (`CancellationQuote`) decides what it costs; what was
/// paid beyond the fee is due back as a refund. A shipped order is returned
/// instead (ALREADY_SHIPPED says so).
public struct CancelOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.cancelOrder

    public let policy: OrderPolicy

    public init(policy: OrderPolicy = .defaults) {
        self.policy = policy
    }

    public func validate(_ request: Oms_V1_CancelOrderRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        validator.checkID(request.id, "id")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_CancelOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CancelOrderResponse {
        let previous = try OrderRecord.load(request.id, in: context)
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        do {
            try lifecycle.apply(.cancel)
        } catch {
            var refused = error
            if [.partiallyShipped, .shipped, .delivered, .completed].contains(previous.status) {
                refused.message += "; it has shipped, so create a return instead"
                refused.reason = "ALREADY_SHIPPED"
            }
            throw refused
        }
        let now = context.nowMillis
        var order = previous
        let totals = order.totals ?? Oms_V1_OrderTotals()
        let quote = CancellationQuote.quote(
            policy: policy, totalMinor: totals.totalMinor, placedAtMillis: order.createdAtMillis, nowMillis: now,
            currency: order.currencyCode)
        try StockReservation.release(&order, reason: "order \(order.id) cancelled", in: &context)
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        var newTotals = totals
        newTotals.cancellationFeeMinor = quote.feeMinor
        newTotals.refundDueMinor = max(0, totals.paidMinor - totals.refundedMinor - quote.feeMinor)
        order.totals = newTotals
        order.cancelledAtMillis = now
        order.cancelReason = request.reason
        order.version += 1
        order.updatedAtMillis = now
        try OrderRecord.write(
            order, previous: previous, action: "cancelled",
            detail: "\(request.reason.isEmpty ? "no reason given" : request.reason); \(quote.rule)",
            event: "order.cancelled", in: &context)
        var response = Oms_V1_CancelOrderResponse()
        response.order = order
        response.fee = Oms_V1_Money.with {
            $0.currencyCode = order.currencyCode
            $0.amountMinor = quote.feeMinor
        }
        response.feeRule = quote.rule
        return response
    }
}

/// The fee for cancelling an order, and the rule that decided it in words.
public struct CancellationQuote: Sendable, Hashable {
    public var feeMinor: Int64
    public var rule: String

    /// Integer math only: percentage fees are `total * bps / 10_000` rounded
    /// half up (`(total * bps + 5_000) / 10_000`, exact in 128 bits); fixed
    /// fees are capped at the order total.
    public static func quote(
        policy: OrderPolicy, totalMinor: Int64, placedAtMillis: Int64, nowMillis: Int64, currency: String
    ) -> CancellationQuote {
        let age = nowMillis - placedAtMillis
        let window = policy.freeCancellationWindowMillis
        if age < window {
            return CancellationQuote(
                feeMinor: 0,
                rule:
                    "free: cancelled \(describe(millis: age)) after placement, within the free window of \(describe(millis: window))"
            )
        }
        switch policy.cancellationFee {
        case .percentage(let basisPoints):
            let fee = roundedShare(totalMinor, basisPoints: basisPoints)
            return CancellationQuote(
                feeMinor: fee,
                rule:
                    "fee: \(percent(basisPoints)) of the total \(totalMinor) \(currency) minor units = \(fee) (rounded half up), cancelled \(describe(millis: age)) after placement, past the free window of \(describe(millis: window))"
            )
        case .fixed(let amountMinor):
            let fee = min(max(0, amountMinor), totalMinor)
            return CancellationQuote(
                feeMinor: fee,
                rule:
                    "fee: fixed \(amountMinor) \(currency) minor units\(fee < amountMinor ? " capped at the total \(totalMinor)" : ""), cancelled \(describe(millis: age)) after placement, past the free window of \(describe(millis: window))"
            )
        }
    }

    /// `amount * basisPoints / 10_000`, rounded half up, for non-negative inputs.
    public static func roundedShare(_ amount: Int64, basisPoints: Int64) -> Int64 {
        let product = amount.multipliedFullWidth(by: basisPoints)
        // (high, low) + 5_000, then divide by 10_000; amounts and rates are non-negative.
        let (low, carry) = product.low.addingReportingOverflow(5_000)
        let high = product.high + (carry ? 1 : 0)
        let (quotient, _) = Int64(10_000).dividingFullWidth((high: high, low: low))
        return quotient
    }

    static func percent(_ basisPoints: Int64) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        return fraction == 0 ? "\(whole)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    static func describe(millis: Int64) -> String {
        if millis % 3_600_000 == 0 { return "\(millis / 3_600_000) h" }
        if millis % 60_000 == 0 { return "\(millis / 60_000) min" }
        return "\(millis / 1000) s"
    }
}
