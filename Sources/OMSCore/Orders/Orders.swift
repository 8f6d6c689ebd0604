import KeyValueStorage
public import OMSProto

/// Order entry, payment, cancellation and the payment deadline.
///
/// Every command runs on the single writer: it reads the current state,
/// changes the order, its indexes, stock levels, ledger rows, reservations,
/// timers, history, event, audit row and idempotency record in one batch.
/// Reads use the database directly and never wait for the writer.
public struct Orders: Sendable {
    public static let createMethod = "/oms.v1.OrderService/CreateOrder"
    public static let paymentMethod = "/oms.v1.OrderService/RecordPayment"
    public static let cancelMethod = "/oms.v1.OrderService/CancelOrder"
    public static let expireMethod = "omsd/OrderTimers"
    static let maxLines = 500
    static let maxQuantity: Int64 = 1_000_000_000
    static let maxTextBytes = 4096

    let store: OMSStore
    public let policy: OrderPolicy

    public init(store: OMSStore, policy: OrderPolicy = .defaults) {
        self.store = store
        self.policy = policy
    }

    // MARK: Validation (before queueing)

    public static func validate(_ request: Oms_V1_CreateOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let order = request.order else {
            validator.check(false, "order", "is required")
            try validator.throwIfInvalid()
            return
        }
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
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_RecordPaymentRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.orderID, "order_id")
        MoneyRules.validate(request.amount, field: "amount", required: true, into: &validator)
        if let amount = request.amount {
            validator.check(amount.amountMinor > 0, "amount.amount_minor", "must be positive")
        }
        validator.check(request.reference.utf8.count <= 256, "reference", "must be at most 256 bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_CancelOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.id, "id")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
        try validator.throwIfInvalid()
    }

    // MARK: Commands

    public func create(
        _ request: Oms_V1_CreateOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreateOrderResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        let policy = self.policy
        DomainCommand.submit(
            store,
            { transaction in
                try Self.applyCreate(request, actor: actor, policy: policy, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func create(_ request: Oms_V1_CreateOrderRequest, actor: String) async throws -> Oms_V1_CreateOrderResponse {
        try await withCheckedThrowingContinuation { continuation in
            create(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    public func recordPayment(
        _ request: Oms_V1_RecordPaymentRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_RecordPaymentResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        DomainCommand.submit(
            store,
            { transaction in
                try Self.applyPayment(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func recordPayment(
        _ request: Oms_V1_RecordPaymentRequest, actor: String
    ) async throws
        -> Oms_V1_RecordPaymentResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            recordPayment(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    public func cancel(
        _ request: Oms_V1_CancelOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CancelOrderResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        let policy = self.policy
        DomainCommand.submit(
            store,
            { transaction in
                try Self.applyCancel(request, actor: actor, policy: policy, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func cancel(_ request: Oms_V1_CancelOrderRequest, actor: String) async throws -> Oms_V1_CancelOrderResponse {
        try await withCheckedThrowingContinuation { continuation in
            cancel(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    /// Cancels every unpaid order whose payment deadline has passed (by the
    /// store's clock), releasing its stock. Returns how many timers fired.
    /// At most `limit` timers per call; call again while it returns `limit`.
    @discardableResult
    public func fireDueTimers(limit: Int = 256) async throws -> Int {
        let store = self.store
        let policy = self.policy
        return try await DomainCommand.perform(store) { transaction in
            try Self.applyDueTimers(limit: limit, policy: policy, store: store, transaction: &transaction)
        }
    }

    // MARK: Command bodies (writer thread)

    static func applyCreate(
        _ request: Oms_V1_CreateOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction, placedAtMillis: Int64 = 0
    ) throws -> (Oms_V1_CreateOrderResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: createMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_CreateOrderResponse.self)
        {
            return (replay, 0)
        }
        let input = request.order!
        let now = transaction.now / 1_000_000
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
            let existing = try transaction.get(
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
        if !order.customerID.isEmpty, let bytes = try transaction.get(families.customers, Array(order.customerID.utf8))
        {
            customer = try Oms_V1_Customer(serializedBytes: bytes)
        }
        if !isComplete(order.shippingAddress), let address = customer?.addresses.first, isComplete(address) {
            order.shippingAddress = address
        }
        if !isComplete(order.shippingAddress) {
            holdReasons.append("shipping address is missing or incomplete (needs line1, city, country_code)")
        }

        var lines = try priceLines(
            input.lines, currency: order.currencyCode, transaction: transaction, families: families)
        var totals = try OrderPricing.price(
            lines: &lines, discountMinor: order.discountMinor, shippingMinor: order.shippingFeeMinor)

        let sequence = try MetaCounter.next("order_id_sequence", transaction: &transaction, families: families)
        order.id = SortableID.make(prefix: "ord_", millis: now, sequence: sequence)
        let pieces = try reserve(
            &lines, orderID: order.id, requestID: request.requestID, actor: actor, transaction: &transaction,
            families: families)
        order.lines = lines

        if !holdReasons.isEmpty { order.flags = [.incomplete] }
        let review = try OrderReview.review(
            customerID: order.customerID, externalRef: order.externalRef, currency: order.currencyCode, lines: lines,
            totalMinor: totals.totalMinor, nowMillis: now, policy: policy, transaction: transaction, families: families)
        order.flags += review.flags
        holdReasons += review.reasons
        order.holdReasons = holdReasons
        try CustomerOrderStats.add(
            order.customerID, currency: order.currencyCode, totalMinor: totals.totalMinor, transaction: &transaction,
            families: families)
        order.approvalsRequired = policy.approvalsRequired(totalMinor: totals.totalMinor)
        var lifecycle = OrderLifecycle.initial(
            flagged: !holdReasons.isEmpty, needsApproval: order.approvalsRequired > 0)
        if totals.totalMinor == 0 {
            try lifecycle.apply(.payInFull)
            order.paidAtMillis = now
            order.invoiceNumber = try nextInvoiceNumber(transaction: &transaction, families: families)
        }
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        totals.paidMinor = 0
        order.totals = totals
        order.version = 1
        // ImportOrders may pass a historical placement time (validated there); the
        // payment deadline still counts from now, when the order enters this store.
        order.createdAtMillis = placedAtMillis > 0 ? placedAtMillis : now
        order.updatedAtMillis = now
        if lifecycle.awaitsPayment {
            order.paymentDueAtMillis = now + policy.paymentDeadlineMillis
            var timer = Oms_V1_OrderTimer()
            timer.kind = TimerQueue.paymentDeadline
            timer.orderID = order.id
            timer.dueAtMillis = order.paymentDueAtMillis
            TimerQueue.schedule(timer, transaction: &transaction, families: families)
        }
        let detail =
            "total \(totals.totalMinor) \(order.currencyCode); reserved "
            + pieces.map { "\($0.quantity) \(lines[$0.lineIndex].sku) in \($0.warehouse)" }.joined(separator: ", ")
            + (holdReasons.isEmpty ? "" : "; on hold: " + holdReasons.joined(separator: "; "))
        try CustomerLastOrder.record(order, transaction: &transaction, families: families)
        let eventSequence = try commit(
            order, previous: nil, action: "created", detail: detail, eventType: "order.created", actor: actor,
            requestID: request.requestID, method: createMethod, store: store, transaction: &transaction)
        var response = Oms_V1_CreateOrderResponse()
        response.order = order
        Idempotency.record(
            &transaction, families: families, method: createMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, eventSequence)
    }

    static func applyPayment(
        _ request: Oms_V1_RecordPaymentRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_RecordPaymentResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: paymentMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_RecordPaymentResponse.self)
        {
            return (replay, 0)
        }
        let previous = try load(request.orderID, transaction: transaction, families: families)
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
        let now = transaction.now / 1_000_000
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
            order.invoiceNumber = try Self.nextInvoiceNumber(transaction: &transaction, families: families)
            if order.paymentDueAtMillis > 0 {
                TimerQueue.cancel(
                    dueAtMillis: order.paymentDueAtMillis, orderID: order.id, transaction: &transaction,
                    families: families)
            }
        }
        order.version += 1
        order.updatedAtMillis = now
        let sequence = try commit(
            order, previous: previous, action: "payment_recorded",
            detail:
                "paid \(amount.amountMinor) \(amount.currencyCode)\(request.reference.isEmpty ? "" : " (\(request.reference))"); \(totals.paidMinor) of \(totals.totalMinor) paid",
            eventType: paysInFull ? "order.paid" : "order.payment_recorded", actor: actor,
            requestID: request.requestID, method: paymentMethod, store: store, transaction: &transaction)
        var response = Oms_V1_RecordPaymentResponse()
        response.order = order
        response.outstandingMinor = totals.totalMinor - totals.paidMinor
        Idempotency.record(
            &transaction, families: families, method: paymentMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, sequence)
    }

    static func applyCancel(
        _ request: Oms_V1_CancelOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_CancelOrderResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: cancelMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_CancelOrderResponse.self)
        {
            return (replay, 0)
        }
        let previous = try load(request.id, transaction: transaction, families: families)
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
        let now = transaction.now / 1_000_000
        var order = previous
        let totals = order.totals ?? Oms_V1_OrderTotals()
        let quote = CancellationQuote.quote(
            policy: policy, totalMinor: totals.totalMinor, placedAtMillis: order.createdAtMillis, nowMillis: now,
            currency: order.currencyCode)
        try release(
            &order, reason: "order \(order.id) cancelled", requestID: request.requestID, actor: actor,
            store: store, transaction: &transaction)
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
        let sequence = try commit(
            order, previous: previous, action: "cancelled",
            detail: "\(request.reason.isEmpty ? "no reason given" : request.reason); \(quote.rule)",
            eventType: "order.cancelled", actor: actor, requestID: request.requestID, method: cancelMethod,
            store: store, transaction: &transaction)
        var response = Oms_V1_CancelOrderResponse()
        response.order = order
        response.fee = Oms_V1_Money.with {
            $0.currencyCode = order.currencyCode
            $0.amountMinor = quote.feeMinor
        }
        response.feeRule = quote.rule
        Idempotency.record(
            &transaction, families: families, method: cancelMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, sequence)
    }

    static func applyDueTimers(
        limit: Int, policy: OrderPolicy, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Int, UInt64) {
        let families = store.families
        var lastSequence: UInt64 = 0
        let due = try TimerQueue.due(
            nowMillis: transaction.now / 1_000_000, limit: limit, transaction: transaction, families: families)
        for (key, timer) in due {
            transaction.delete(families.timers, key)
            guard let bytes = try transaction.get(families.orders, Array(timer.orderID.utf8)) else { continue }
            let order = try Oms_V1_Order(serializedBytes: bytes)
            switch timer.kind {
            case TimerQueue.paymentDeadline:
                if let sequence = try expire(order, store: store, transaction: &transaction) { lastSequence = sequence }
            case TimerQueue.autoComplete:
                if let sequence = try autoComplete(order, policy: policy, store: store, transaction: &transaction) {
                    lastSequence = sequence
                }
            default:
                continue
            }
        }
        return (due.count, lastSequence)
    }

    /// The payment deadline passed: cancels the order if it is still unpaid.
    static func expire(_ previous: Oms_V1_Order, store: OMSStore, transaction: inout WriteTransaction) throws -> UInt64?
    {
        let now = transaction.now / 1_000_000
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        let totals = previous.totals ?? Oms_V1_OrderTotals()
        // Paid in full or already moved on: the deadline no longer applies.
        guard totals.paidMinor < totals.totalMinor, lifecycle.allows(.expire) else { return nil }
        try lifecycle.apply(.expire)
        var order = previous
        try release(
            &order, reason: "order \(order.id) payment deadline passed", requestID: "", actor: "omsd",
            store: store, transaction: &transaction)
        order.status = lifecycle.status
        order.heldFrom = lifecycle.heldFrom
        var newTotals = totals
        newTotals.refundDueMinor = totals.paidMinor - totals.refundedMinor
        order.totals = newTotals
        order.cancelledAtMillis = now
        order.cancelReason = "payment deadline passed"
        order.version += 1
        order.updatedAtMillis = now
        return try commit(
            order, previous: previous, action: "expired",
            detail:
                "unpaid at the payment deadline (\(totals.paidMinor) of \(totals.totalMinor) paid); stock released, no fee",
            eventType: "order.expired", actor: "omsd", requestID: "", method: expireMethod, store: store,
            transaction: &transaction)
    }

    /// N days after delivery: the order completes and the customer earns points.
    static func autoComplete(
        _ previous: Oms_V1_Order, policy: OrderPolicy, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> UInt64? {
        var lifecycle = OrderLifecycle(status: previous.status, heldFrom: previous.heldFrom)
        guard lifecycle.allows(.complete) else { return nil }
        try lifecycle.apply(.complete)
        let now = transaction.now / 1_000_000
        var order = previous
        order.status = lifecycle.status
        order.completedAtMillis = now
        order.version += 1
        order.updatedAtMillis = now
        var detail = "completed \(policy.autoCompleteAfterDeliveryMillis / 86_400_000) days after delivery"
        let points = (order.totals?.totalMinor ?? 0) / 100 * policy.pointsPerHundredMinor
        if points > 0, !order.customerID.isEmpty,
            let bytes = try transaction.get(store.families.customers, Array(order.customerID.utf8))
        {
            var customer = try Oms_V1_Customer(serializedBytes: bytes)
            customer.points += points
            if let tier = policy.tier(forPoints: customer.points) { customer.tier = tier }
            customer.version += 1
            customer.updatedAtMillis = now
            transaction.put(store.families.customers, Array(customer.id.utf8), customer.serializedBytes())
            _ = try ChangeRecord.append(
                store: store, transaction: &transaction, type: "customer.updated", resourceType: "customer",
                resourceID: customer.id, actor: "omsd", requestID: "", method: expireMethod,
                payload: .customer(customer))
            detail += "; \(customer.id) earned \(points) points"
        }
        return try commit(
            order, previous: previous, action: "completed", detail: detail, eventType: "order.completed", actor: "omsd",
            requestID: "", method: expireMethod, store: store, transaction: &transaction)
    }

    // MARK: Shared steps

    /// The order lines with prices: the request's, else the catalog's.
    static func priceLines(
        _ requestedLines: [Oms_V1_OrderLine], currency: String, transaction: WriteTransaction, families: ColumnFamilies
    ) throws -> [Oms_V1_OrderLine] {
        var lines: [Oms_V1_OrderLine] = []
        for (index, requested) in requestedLines.enumerated() {
            var line = Oms_V1_OrderLine()
            line.sku = requested.sku
            line.quantity = requested.quantity
            line.discountMinor = requested.discountMinor
            line.taxRateBps = requested.taxRateBps
            let product = try transaction.get(families.products, Array(requested.sku.utf8)).map {
                try Oms_V1_Product(serializedBytes: $0)
            }
            line.productName = product?.name ?? ""
            let field = "order.lines[\(index)].sku"
            if let price = requested.unitPrice {
                line.unitPrice = price
                line.priceSource = "request"
            } else {
                guard let product, let price = product.unitPrice else {
                    throw DomainError(
                        .failedPrecondition,
                        "sku \(requested.sku) is not in the catalog and the line has no unit_price",
                        violations: [.init(field: field, description: "not in the catalog")],
                        reason: "PRODUCT_NOT_FOUND")
                }
                guard product.status != .discontinued else {
                    throw DomainError(
                        .failedPrecondition, "sku \(requested.sku) is discontinued",
                        violations: [.init(field: field, description: "discontinued")],
                        reason: "PRODUCT_DISCONTINUED")
                }
                guard price.currencyCode == currency else {
                    throw DomainError(
                        .failedPrecondition,
                        "sku \(requested.sku) is priced in \(price.currencyCode), the order is in \(currency); give the line a unit_price",
                        violations: [.init(field: field, description: "catalog price in another currency")],
                        reason: "CURRENCY_MISMATCH")
                }
                line.unitPrice = price
                line.priceSource = "catalog"
            }
            lines.append(line)
        }
        return lines
    }

    /// Exact reservation: allocates `lines` against current availability
    /// (all or nothing), writes the reservations, levels and ledger rows, and
    /// records them on the lines.
    static func reserve(
        _ lines: inout [Oms_V1_OrderLine], orderID: String, requestID: String, actor: String,
        transaction: inout WriteTransaction, families: ColumnFamilies
    ) throws -> [WarehouseAllocator.Piece] {
        let now = transaction.now / 1_000_000
        // Only warehouses holding a level of one of the skus can take part, so
        // they are read by key (a warehouse without stock changes nothing).
        var priorities: [String: Int32] = [:]
        var unknown: Set<String> = []
        var available: [String: [String: Int64]] = [:]
        for sku in Set(lines.map(\.sku)) {
            for level in try StockLedger.levels(transaction, families: families, sku: sku) {
                let code = level.warehouseCode
                if priorities[code] == nil && !unknown.contains(code) {
                    if let bytes = try transaction.get(families.stock, StockLedger.warehouseKey(code)) {
                        priorities[code] = try Oms_V1_Warehouse(serializedBytes: bytes).priority
                    } else {
                        unknown.insert(code)
                    }
                }
                if priorities[code] != nil {
                    available[sku, default: [:]][code] = level.onHand - level.reserved
                }
            }
        }
        let allocator = WarehouseAllocator(warehouses: priorities.map { .init(code: $0.key, priority: $0.value) })
        let pieces = try allocator.allocate(lines: lines.map { ($0.sku, $0.quantity) }, available: available)
        for piece in pieces {
            let sku = lines[piece.lineIndex].sku
            try StockLedger.apply(
                &transaction, families: families, sku: sku, warehouse: piece.warehouse, kind: .reservation,
                onHandDelta: 0, reservedDelta: piece.quantity, reason: "order \(orderID) line \(piece.lineIndex)",
                orderID: orderID, requestID: requestID, actor: actor)
            var record = Oms_V1_ReservationRecord()
            record.orderID = orderID
            record.lineIndex = UInt32(piece.lineIndex)
            record.sku = sku
            record.warehouseCode = piece.warehouse
            record.quantity = piece.quantity
            record.createdAtMillis = now
            transaction.put(
                families.reservations,
                reservationKey(orderID: orderID, lineIndex: piece.lineIndex, warehouse: piece.warehouse),
                record.serializedBytes())
            var reservation = Oms_V1_LineReservation()
            reservation.warehouseCode = piece.warehouse
            reservation.quantity = piece.quantity
            reservation.reason = piece.reason
            lines[piece.lineIndex].reservations.append(reservation)
        }
        return pieces
    }

    static func reservationKey(orderID: String, lineIndex: Int, warehouse: String) -> [UInt8] {
        var key: [UInt8] = []
        KeyCodec.append(orderID, to: &key)
        KeyCodec.append(UInt32(lineIndex), to: &key)
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    /// Releases every open reservation of `order` (ledger rows, levels) and
    /// marks its line reservations released.
    static func release(
        _ order: inout Oms_V1_Order, reason: String, requestID: String, actor: String, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws {
        let families = store.families
        try releaseReservations(
            order.id, reason: reason, requestID: requestID, actor: actor, transaction: &transaction, families: families)
        for index in order.lines.indices {
            for slot in order.lines[index].reservations.indices {
                order.lines[index].reservations[slot].released = true
            }
        }
        if order.paymentDueAtMillis > 0 {
            TimerQueue.cancel(
                dueAtMillis: order.paymentDueAtMillis, orderID: order.id, transaction: &transaction, families: families)
        }
    }

    /// Writes the order and its indexes, the event, the audit row and the
    /// history entry; returns the event sequence.
    static func commit(
        _ order: Oms_V1_Order, previous: Oms_V1_Order?, action: String, detail: String, eventType: String,
        actor: String, requestID: String, method: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> UInt64 {
        let families = store.families
        transaction.put(families.orders, Array(order.id.utf8), order.serializedBytes())
        let oldKeys = previous.map(OrderIndex.keys) ?? []
        let newKeys = OrderIndex.keys(order)
        for key in oldKeys where !newKeys.contains(key) { transaction.delete(families.orderIndex, key) }
        let id = Array(order.id.utf8)
        for key in newKeys where !oldKeys.contains(key) { transaction.put(families.orderIndex, key, id) }
        try Rollups.orderChanged(from: previous, to: order, families: families, transaction: &transaction)
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: eventType, resourceType: "order", resourceID: order.id,
            actor: actor, requestID: requestID, method: method, payload: .order(order))
        var entry = Oms_V1_OrderHistoryEntry()
        entry.orderID = order.id
        entry.version = order.version
        entry.atMillis = order.updatedAtMillis
        entry.actor = actor
        entry.action = action
        entry.fromStatus = previous?.status ?? .unspecified
        entry.toStatus = order.status
        entry.detail = detail
        entry.requestID = requestID
        entry.eventSequence = sequence
        transaction.put(
            families.orderIndex, OrderIndex.historyKey(order.id, version: order.version), entry.serializedBytes())
        return sequence
    }

    static func load(_ id: String, transaction: WriteTransaction, families: ColumnFamilies) throws -> Oms_V1_Order {
        guard let bytes = try transaction.get(families.orders, Array(id.utf8)) else {
            throw DomainError(.notFound, "order \(id) not found", reason: "ORDER_NOT_FOUND")
        }
        return try Oms_V1_Order(serializedBytes: bytes)
    }

    /// `INV-000001`, `INV-000002`, ...: one gap-free sequence (a rolled-back
    /// command gives its number back).
    static func nextInvoiceNumber(transaction: inout WriteTransaction, families: ColumnFamilies) throws -> String {
        let number = try MetaCounter.next("invoice_number", transaction: &transaction, families: families)
        let digits = String(number)
        return "INV-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// An address an order can be shipped to.
    static func isComplete(_ address: Oms_V1_Address?) -> Bool {
        guard let address else { return false }
        return !address.line1.isEmpty && !address.city.isEmpty && !address.countryCode.isEmpty
    }

    // MARK: Queries

    public func order(id: String) throws -> Oms_V1_Order {
        var validator = Validator()
        validator.checkID(id, "id")
        try validator.throwIfInvalid()
        guard let bytes = try store.engine.get(store.families.orders, Array(id.utf8)) else {
            throw DomainError(.notFound, "order \(id) not found", reason: "ORDER_NOT_FOUND")
        }
        return try Oms_V1_Order(serializedBytes: bytes)
    }

    /// Hands the stored encoding of the order to `body` without decoding it
    /// (valid only during the call): GetOrder's fast path, like GetProduct's.
    public func withStoredOrder<R>(id: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var validator = Validator()
        validator.checkID(id, "id")
        try validator.throwIfInvalid()
        var id = id
        return try id.withUTF8 { key in
            try store.engine.withValue(store.families.orders, UnsafeRawBufferPointer(key)) { value in
                guard let value else {
                    throw DomainError(
                        .notFound, "order \(String(decoding: key, as: UTF8.self)) not found", reason: "ORDER_NOT_FOUND")
                }
                return try body(value)
            }
        }
    }

    /// Newest first. A filtered list walks one index (status, else customer,
    /// else channel, else flag), bounded by the created range, and checks the
    /// other filters on each order; `external_ref` is one index lookup.
    public func list(_ request: Oms_V1_ListOrdersRequest) throws -> Oms_V1_ListOrdersResponse {
        let pageSize = try PageToken.pageSize(request.pageSize)
        var after = try PageToken.decode(request.pageToken)
        var validator = Validator()
        if case .UNRECOGNIZED(let value) = request.status {
            validator.check(false, "status", "unknown status \(value)")
        }
        if case .UNRECOGNIZED(let value) = request.flag { validator.check(false, "flag", "unknown flag \(value)") }
        validator.check(request.createdFromMillis >= 0, "created_from_millis", "must not be negative")
        validator.check(request.createdToMillis >= 0, "created_to_millis", "must not be negative")
        validator.check(
            request.externalRef.isEmpty || !request.channel.isEmpty, "external_ref",
            "needs channel: references are unique per channel")
        try validator.throwIfInvalid()
        let families = store.families
        let snapshot = try store.engine.readView()
        func matches(_ order: Oms_V1_Order) -> Bool {
            (request.status == .unspecified || order.status == request.status)
                && (request.customerID.isEmpty || order.customerID == request.customerID)
                && (request.channel.isEmpty || order.channel == request.channel)
                && (request.flag == .unspecified || order.flags.contains(request.flag))
                && order.createdAtMillis >= request.createdFromMillis
                && (request.createdToMillis == 0 || order.createdAtMillis < request.createdToMillis)
                && (request.externalRef.isEmpty || order.externalRef == request.externalRef)
        }
        var response = Oms_V1_ListOrdersResponse()
        if !request.externalRef.isEmpty {
            let key = OrderIndex.externalRefKey(channel: request.channel, ref: request.externalRef)
            if after == nil, let id = try snapshot.get(families.orderIndex, key),
                let bytes = try snapshot.get(families.orders, id)
            {
                let order = try Oms_V1_Order(serializedBytes: bytes)
                if matches(order) { response.orders.append(order) }
            }
            return response
        }
        let family: ColumnFamily
        let lower: [UInt8]
        let upper: [UInt8]?
        let viaIndex: Bool
        func timeBounded(_ prefix: [UInt8]) -> ([UInt8], [UInt8]?) {
            var low = prefix
            KeyCodec.append(request.createdFromMillis, to: &low)
            guard request.createdToMillis > 0 else { return (low, KeyCodec.prefixUpperBound(prefix)) }
            var high = prefix
            KeyCodec.append(request.createdToMillis, to: &high)
            return (low, high)
        }
        if request.status != .unspecified {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.statusPrefix(request.status))
        } else if !request.customerID.isEmpty {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.customerPrefix(request.customerID))
        } else if !request.channel.isEmpty {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.channelPrefix(request.channel))
        } else if request.flag != .unspecified {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.flagPrefix(request.flag))
        } else {
            // Order ids sort by creation time, so the range bounds the ids.
            (family, viaIndex) = (families.orders, false)
            lower = Array(SortableID.make(prefix: "ord_", millis: request.createdFromMillis, sequence: 0).utf8)
            upper =
                request.createdToMillis > 0
                ? Array(SortableID.make(prefix: "ord_", millis: request.createdToMillis, sequence: 0).utf8)
                : KeyCodec.prefixUpperBound(Array("ord_".utf8))
        }
        var lastKey: [UInt8]?
        scanning: while true {
            let rows = try snapshot.scan(
                family, from: lower, to: upper, after: after, limit: pageSize + 1, reverse: true)
            for row in rows {
                if response.orders.count == pageSize {
                    response.nextPageToken = PageToken.encode(lastKey!)
                    break scanning
                }
                lastKey = row.key
                let order: Oms_V1_Order
                if viaIndex {
                    guard let bytes = try snapshot.get(families.orders, row.value) else {
                        continue
                    }
                    order = try Oms_V1_Order(serializedBytes: bytes)
                } else {
                    order = try Oms_V1_Order(serializedBytes: row.value)
                }
                if matches(order) { response.orders.append(order) }
            }
            if rows.count <= pageSize { break }
            after = rows.last?.key
        }
        return response
    }

    public func history(_ request: Oms_V1_GetOrderHistoryRequest) throws -> Oms_V1_GetOrderHistoryResponse {
        _ = try order(id: request.id)
        let pageSize = try PageToken.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken)
        let rows = try store.engine.scan(
            store.families.orderIndex, prefix: OrderIndex.historyPrefix(request.id), after: after, limit: pageSize + 1)
        var response = Oms_V1_GetOrderHistoryResponse()
        for row in rows.prefix(pageSize) {
            response.entries.append(try Oms_V1_OrderHistoryEntry(serializedBytes: row.value))
        }
        if rows.count > pageSize { response.nextPageToken = PageToken.encode(rows[pageSize - 1].key) }
        return response
    }
}
