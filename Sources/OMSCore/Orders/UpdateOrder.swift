import KeyValueStorage
public import OMSProto

/// `UpdateOrder`: changes an unpaid order awaiting payment or review, at the
/// version the caller read: new lines (re-priced and re-reserved in the same
/// batch, so lines that cannot be filled change nothing), addresses, notes.
/// A larger total may need (more) approval again; completing the address
/// clears INCOMPLETE and, with no other flag, ends the hold.
public struct UpdateOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.updateOrder

    public let policy: OrderPolicy

    public init(policy: OrderPolicy = .defaults) {
        self.policy = policy
    }

    public func validate(_ request: Oms_V1_UpdateOrderRequest, into validator: inout Validator) {
        let maxTextBytes = OrderLimits.maxTextBytes
        let maxLines = OrderLimits.maxLines
        let maxQuantity = OrderLimits.maxQuantity
        validator.checkID(request.id, "id")
        validator.check(request.version > 0, "version", "is required: the version you read")
        validator.check(request.lines.count <= maxLines, "lines", "at most \(maxLines) lines")
        for (index, line) in request.lines.enumerated() {
            validator.checkSKU(line.sku, "lines[\(index)].sku")
            validator.check(
                line.quantity > 0 && line.quantity <= maxQuantity, "lines[\(index)].quantity",
                "must be from 1 to \(maxQuantity)")
            if let price = line.unitPrice {
                MoneyRules.validate(price, field: "lines[\(index)].unit_price", required: true, into: &validator)
            }
            validator.check(line.discountMinor >= 0, "lines[\(index)].discount_minor", "must not be negative")
            validator.check(
                (0...10_000).contains(line.taxRateBps), "lines[\(index)].tax_rate_bps", "must be from 0 to 10000")
        }
        validator.check(request.notes.utf8.count <= maxTextBytes, "notes", "must be at most \(maxTextBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_UpdateOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_UpdateOrderResponse {
        let previous = try OrderRecord.load(request.id, in: context)
        guard previous.version == request.version else {
            throw DomainError(
                .aborted, "order \(previous.id) is at version \(previous.version), not \(request.version)",
                reason: "VERSION_MISMATCH")
        }
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        let paid = previous.totals?.paidMinor ?? 0
        guard lifecycle.awaitsPayment, paid == 0 else {
            throw DomainError(
                .failedPrecondition,
                "order \(previous.id) is \(OrderLifecycle.name(previous.status))\(paid > 0 ? " and partly paid" : ""); only unpaid orders awaiting payment or review can change",
                reason: "ORDER_NOT_EDITABLE")
        }
        var order = previous
        var changes: [String] = []
        if !request.lines.isEmpty {
            for (index, line) in request.lines.enumerated() {
                if let price = line.unitPrice, price.currencyCode != order.currencyCode {
                    throw DomainError.invalid(
                        field: "lines[\(index)].unit_price.currency_code",
                        "must be the order currency \(order.currencyCode)")
                }
            }
            // Release the old reservations and reserve the new lines in the
            // same batch: if the new lines cannot be filled, nothing changes.
            try StockReservation.releaseReservations(order.id, reason: "order \(order.id) updated", in: &context)
            var lines = try OrderPricing.priceLines(
                request.lines, currency: order.currencyCode, transaction: context.transaction,
                families: context.families)
            var totals = try OrderPricing.price(
                lines: &lines, discountMinor: order.discountMinor, shippingMinor: order.shippingFeeMinor)
            _ = try StockReservation.reserve(&lines, orderID: order.id, in: &context)
            totals.paidMinor = 0
            order.lines = lines
            order.totals = totals
            changes.append(
                "lines: " + lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
                    + "; total \(totals.totalMinor)")
            let required = policy.approvalsRequired(totalMinor: totals.totalMinor)
            if required > order.approvalsRequired && lifecycle.status == .pendingPayment {
                // A larger order needs (more) approval again.
                lifecycle = OrderLifecycle(status: .pendingReview)
                order.approvals = []
            }
            order.approvalsRequired = required
        }
        if let address = request.shippingAddress {
            order.shippingAddress = address
            changes.append("shipping address")
        }
        if let address = request.billingAddress {
            order.billingAddress = address
            changes.append("billing address")
        }
        if !request.notes.isEmpty {
            order.notes = request.notes
            changes.append("notes")
        }
        // Completing the address clears INCOMPLETE; with no other flag the hold ends.
        if order.flags.contains(.incomplete) && OrderReview.isComplete(order.shippingAddress) {
            order.flags.removeAll { $0 == .incomplete }
            order.holdReasons.removeAll { $0.hasPrefix("shipping address") }
            if order.flags.isEmpty && lifecycle.status == .onHold { try lifecycle.apply(.release) }
        }
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        order.version += 1
        order.updatedAtMillis = context.nowMillis
        try OrderRecord.write(
            order, previous: previous, action: "updated",
            detail: changes.isEmpty ? "no changes" : changes.joined(separator: "; "), event: "order.updated",
            in: &context)
        return .with { $0.order = order }
    }
}
