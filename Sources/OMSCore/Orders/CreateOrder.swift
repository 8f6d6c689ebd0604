import KeyValueStorage
public import OMSProto

/// `CreateOrder`: order entry. Prices the lines (the request's prices, else
/// the catalog's), reviews the order automatically (address, abnormal
/// amount, duplicates, approval tiers), reserves its stock exactly (all or
/// nothing) and schedules its payment deadline, all in one batch.
///
/// The hot write path: the request is read once and the order encoded once
/// for its record (the event, the history entry and the idempotency record
/// carry what they must).
public struct CreateOrder: WriteCommand {
    public static let method = Oms_V1_OrderService.Method.createOrder
    /// The field a kept placement time is read from (and reported under).
    static let placedAtField = "order.created_at_millis"

    public let policy: OrderPolicy
    /// ImportOrders: keep the row's historical placement time
    /// (`order.created_at_millis`, 0: now), which must be positive and not
    /// in the future by the writer's clock. CreateOrder ignores the field.
    public let keepsPlacementTime: Bool

    public init(policy: OrderPolicy = .defaults, keepsPlacementTime: Bool = false) {
        self.policy = policy
        self.keepsPlacementTime = keepsPlacementTime
    }

    public func validate(_ request: Oms_V1_CreateOrderRequest, into validator: inout Validator) {
        guard let order = request.order else {
            return validator.check(false, "order", "is required")
        }
        let maxTextBytes = OrderLimits.maxTextBytes
        let maxLines = OrderLimits.maxLines
        let maxQuantity = OrderLimits.maxQuantity
        validator.check(
            MoneyRules.isCurrencyCode(order.currencyCode), "order.currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(order.currencyCode)'")
        validator.check(order.customerID.utf8.count <= 128, "order.customer_id", "must be at most 128 bytes")
        validator.check(order.channel.utf8.count <= 64, "order.channel", "must be at most 64 bytes")
        validator.check(
            order.channel.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "order.channel",
            "must be printable ASCII without spaces")
        validator.check(order.externalRef.utf8.count <= 128, "order.external_ref", "must be at most 128 bytes")
        validator.check(order.notes.utf8.count <= maxTextBytes, "order.notes", "must be at most \(maxTextBytes) bytes")
        validator.check(order.discountMinor >= 0, "order.discount_minor", "must not be negative")
        validator.check(order.shippingFeeMinor >= 0, "order.shipping_fee_minor", "must not be negative")
        validator.check(!order.lines.isEmpty, "order.lines", "must have at least one line")
        validator.check(order.lines.count <= maxLines, "order.lines", "at most \(maxLines) lines")
        for (index, line) in order.lines.enumerated() {
            let field = "order.lines[\(index)]"
            validator.checkSKU(line.sku, "\(field).sku")
            validator.check(
                line.quantity > 0 && line.quantity <= maxQuantity, "\(field).quantity",
                "must be from 1 to \(maxQuantity)")
            if let price = line.unitPrice {
                MoneyRules.validate(price, field: "\(field).unit_price", required: true, into: &validator)
                validator.check(
                    price.currencyCode == order.currencyCode, "\(field).unit_price.currency_code",
                    "must be the order currency \(order.currencyCode)")
            }
            validator.check(line.discountMinor >= 0, "\(field).discount_minor", "must not be negative")
            validator.check(
                (0...10_000).contains(line.taxRateBps), "\(field).tax_rate_bps", "must be from 0 to 10000")
        }
        // A kept placement time is checked only once everything else is
        // valid, and reported alone (as ImportOrders always has).
        if keepsPlacementTime && validator.violations.isEmpty && order.createdAtMillis < 0 {
            validator.check(
                false, Self.placedAtField, "must be positive (epoch milliseconds), got \(order.createdAtMillis)")
        }
    }

    public func apply(
        _ request: Oms_V1_CreateOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateOrderResponse {
        let input = request.order!
        let now = context.nowMillis
        var placedAtMillis: Int64 = 0
        if keepsPlacementTime && input.createdAtMillis != 0 {
            // Checked on the writer, against the clock the order is stamped with.
            guard input.createdAtMillis <= now else {
                throw DomainError.invalid(
                    field: Self.placedAtField,
                    "is in the future (\(input.createdAtMillis) > now \(now), epoch milliseconds)")
            }
            placedAtMillis = input.createdAtMillis
        }
        let families = context.families
        var order = Oms_V1_Order()
        order.customerID = input.customerID
        order.channel = input.channel.isEmpty ? "direct" : input.channel
        order.currencyCode = input.currencyCode
        order.externalRef = input.externalRef
        order.shippingAddress = input.shippingAddress
        order.billingAddress = input.billingAddress
        order.notes = input.notes
        order.discountMinor = input.discountMinor
        order.shippingFeeMinor = input.shippingFeeMinor

        if !order.externalRef.isEmpty,
            let existing = try context.transaction.get(
                families.orderIndex, OrderIndex.externalRefKey(channel: order.channel, ref: order.externalRef))
        {
            throw DomainError(
                .alreadyExists,
                "external_ref \(order.externalRef) is already used in channel \(order.channel) by order \(String(decoding: existing, as: UTF8.self))",
                violations: [.init(field: "order.external_ref", description: "already used in this channel")],
                reason: "EXTERNAL_REF_EXISTS")
        }

        // Automatic review of the data needed for fulfilment.
        // An unknown or missing customer does not stop fulfilment; a missing
        // shipping address does (a known customer's first address fills it).
        var holdReasons: [String] = []
        var customer: Oms_V1_Customer?
        if !order.customerID.isEmpty,
            let bytes = try context.transaction.get(families.customers, Array(order.customerID.utf8))
        {
            customer = try Oms_V1_Customer(serializedBytes: bytes)
        }
        if !OrderReview.isComplete(order.shippingAddress), let address = customer?.addresses.first,
            OrderReview.isComplete(address)
        {
            order.shippingAddress = address
        }
        if !OrderReview.isComplete(order.shippingAddress) {
            holdReasons.append("shipping address is missing or incomplete (needs line1, city, country_code)")
        }

        var lines = try OrderPricing.priceLines(
            input.lines, currency: order.currencyCode, transaction: context.transaction, families: families)
        var totals = try OrderPricing.price(
            lines: &lines, discountMinor: order.discountMinor, shippingMinor: order.shippingFeeMinor)

        let sequence = try MetaCounter.next("order_id_sequence", transaction: &context.transaction, families: families)
        order.id = SortableID.make(prefix: "ord_", millis: now, sequence: sequence)
        let pieces = try StockReservation.reserve(&lines, orderID: order.id, in: &context)
        order.lines = lines

        if !holdReasons.isEmpty { order.flags = [.incomplete] }
        let review = try OrderReview.review(
            customerID: order.customerID, externalRef: order.externalRef, currency: order.currencyCode, lines: lines,
            totalMinor: totals.totalMinor, nowMillis: now, policy: policy, transaction: context.transaction,
            families: families)
        order.flags += review.flags
        holdReasons += review.reasons
        order.holdReasons = holdReasons
        try CustomerOrderStats.add(
            order.customerID, currency: order.currencyCode, totalMinor: totals.totalMinor,
            transaction: &context.transaction, families: families)
        order.approvalsRequired = policy.approvalsRequired(totalMinor: totals.totalMinor)
        var lifecycle = OrderLifecycle.initial(
            flagged: !holdReasons.isEmpty, needsApproval: order.approvalsRequired > 0)
        if totals.totalMinor == 0 {
            try lifecycle.apply(.payInFull)
            order.paidAtMillis = now
            order.invoiceNumber = try InvoiceNumber.next(transaction: &context.transaction, families: families)
        }
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        totals.paidMinor = 0
        order.totals = totals
        order.version = 1
        // ImportOrders may keep a historical placement time (checked above); the
        // payment deadline still counts from now, when the order enters this store.
        order.createdAtMillis = placedAtMillis > 0 ? placedAtMillis : now
        order.updatedAtMillis = now
        if lifecycle.awaitsPayment {
            order.paymentDueAtMillis = now + policy.paymentDeadlineMillis
            var timer = Oms_V1_OrderTimer()
            timer.kind = TimerQueue.paymentDeadline
            timer.orderID = order.id
            timer.dueAtMillis = order.paymentDueAtMillis
            TimerQueue.schedule(timer, transaction: &context.transaction, families: families)
        }
        let detail =
            "total \(totals.totalMinor) \(order.currencyCode); reserved "
            + pieces.map { "\($0.quantity) \(lines[$0.lineIndex].sku) in \($0.warehouse)" }.joined(separator: ", ")
            + (holdReasons.isEmpty ? "" : "; on hold: " + holdReasons.joined(separator: "; "))
        try CustomerLastOrder.record(order, transaction: &context.transaction, families: families)
        try OrderRecord.write(
            order, previous: nil, action: "created", detail: detail, event: "order.created", in: &context)
        var response = Oms_V1_CreateOrderResponse()
        response.order = order
        return response
    }
}
