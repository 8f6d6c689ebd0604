import KeyValueStorage
public import OMSProto

/// Approval, rejection and changes of an order before payment.
extension Orders {
    public static let approveMethod = "/oms.v1.OrderService/ApproveOrder"
    public static let rejectMethod = "/oms.v1.OrderService/RejectOrder"
    public static let updateMethod = "/oms.v1.OrderService/UpdateOrder"

    public static func validate(_ request: Oms_V1_ApproveOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.id, "id")
        validator.check(request.comment.utf8.count <= maxTextBytes, "comment", "must be at most \(maxTextBytes) bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_RejectOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.id, "id")
        validator.check(!request.reason.isEmpty, "reason", "must say why the order is rejected")
        validator.check(request.reason.utf8.count <= maxTextBytes, "reason", "must be at most \(maxTextBytes) bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_UpdateOrderRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
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
        try validator.throwIfInvalid()
    }

    public func approve(
        _ request: Oms_V1_ApproveOrderRequest, actor: String
    ) async throws
        -> Oms_V1_ApproveOrderResponse
    {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyApprove)
    }

    public func approve(
        _ request: Oms_V1_ApproveOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_ApproveOrderResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyApprove, completion: completion)
    }

    public func reject(_ request: Oms_V1_RejectOrderRequest, actor: String) async throws -> Oms_V1_RejectOrderResponse {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyReject)
    }

    public func reject(
        _ request: Oms_V1_RejectOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_RejectOrderResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyReject, completion: completion)
    }

    public func update(_ request: Oms_V1_UpdateOrderRequest, actor: String) async throws -> Oms_V1_UpdateOrderResponse {
        try await run(request, actor: actor, validate: Self.validate, apply: Self.applyUpdate)
    }

    public func update(
        _ request: Oms_V1_UpdateOrderRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_UpdateOrderResponse, any Error>) -> Void
    ) {
        submit(request, actor: actor, validate: Self.validate, apply: Self.applyUpdate, completion: completion)
    }

    // MARK: Plumbing shared by the commands in this file and Shipments

    typealias Apply<Request, Response> =
        @Sendable (
            Request, String, OrderPolicy, OMSStore, inout WriteTransaction
        ) throws -> (Response, UInt64)

    func submit<Request: Sendable, Response: Sendable>(
        _ request: Request, actor: String, validate: (Request) throws(DomainError) -> Void,
        apply: @escaping Apply<Request, Response>,
        completion: @escaping @Sendable (Result<Response, any Error>) -> Void
    ) {
        do {
            try validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        let policy = self.policy
        DomainCommand.submit(
            store,
            { transaction in
                try apply(request, actor, policy, store, &transaction)
            }, completion: completion)
    }

    func run<Request: Sendable, Response: Sendable>(
        _ request: Request, actor: String, validate: (Request) throws(DomainError) -> Void,
        apply: @escaping Apply<Request, Response>
    ) async throws -> Response {
        try validate(request)
        let store = self.store
        let policy = self.policy
        return try await DomainCommand.perform(store) { transaction in
            try apply(request, actor, policy, store, &transaction)
        }
    }

    /// Idempotent command skeleton: replay, or load the order, run `change`
    /// (which returns the response and the event sequence), record.
    /// `canonical` is the request with `request_id` cleared.
    static func idempotent<Request: ProtoMessage, Response: ProtoMessage>(
        _ canonical: Request, requestID: String, method: String, store: OMSStore, transaction: inout WriteTransaction,
        _ change: (inout WriteTransaction) throws -> (Response, UInt64)
    ) throws -> (Response, UInt64) {
        if let replay = try Idempotency.replay(
            transaction, families: store.families, method: method, requestID: requestID, request: canonical,
            as: Response.self)
        {
            return (replay, 0)
        }
        let (response, sequence) = try change(&transaction)
        Idempotency.record(
            &transaction, families: store.families, method: method, requestID: requestID, request: canonical,
            response: response, nowMillis: transaction.now / 1_000_000)
        return (response, sequence)
    }

    // MARK: Approve / reject

    static func applyApprove(
        _ request: Oms_V1_ApproveOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_ApproveOrderResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: approveMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let previous = try load(request.id, transaction: transaction, families: store.families)
            var order = previous
            var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
            let now = transaction.now / 1_000_000
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
            let sequence = try commit(
                order, previous: previous, action: "approved", detail: detail.joined(separator: "; "),
                eventType: "order.approved", actor: actor, requestID: request.requestID, method: approveMethod,
                store: store, transaction: &transaction)
            return (Oms_V1_ApproveOrderResponse.with { $0.order = order }, sequence)
        }
    }

    static func applyReject(
        _ request: Oms_V1_RejectOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_RejectOrderResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: rejectMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let previous = try load(request.id, transaction: transaction, families: store.families)
            var order = previous
            var lifecycle = OrderLifecycle(status: order.status, heldFrom: order.heldFrom)
            try lifecycle.apply(order.status == .onHold ? .cancel : .reject)
            try release(
                &order, reason: "order \(order.id) rejected", requestID: request.requestID, actor: actor,
                store: store, transaction: &transaction)
            let now = transaction.now / 1_000_000
            order.status = lifecycle.status
            order.heldFrom = lifecycle.heldFrom
            order.cancelledAtMillis = now
            order.cancelReason = "rejected: \(request.reason)"
            var totals = order.totals ?? Oms_V1_OrderTotals()
            totals.refundDueMinor = totals.paidMinor - totals.refundedMinor
            order.totals = totals
            order.version += 1
            order.updatedAtMillis = now
            let sequence = try commit(
                order, previous: previous, action: "rejected", detail: request.reason, eventType: "order.rejected",
                actor: actor, requestID: request.requestID, method: rejectMethod, store: store,
                transaction: &transaction)
            return (Oms_V1_RejectOrderResponse.with { $0.order = order }, sequence)
        }
    }

    // MARK: Update

    static func applyUpdate(
        _ request: Oms_V1_UpdateOrderRequest, actor: String, policy: OrderPolicy, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_UpdateOrderResponse, UInt64) {
        try idempotent(
            request.canonical, requestID: request.requestID, method: updateMethod, store: store,
            transaction: &transaction
        ) {
            transaction in
            let families = store.families
            let previous = try load(request.id, transaction: transaction, families: families)
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
                try releaseReservations(
                    order.id, reason: "order \(order.id) updated", requestID: request.requestID,
                    actor: actor, transaction: &transaction, families: families)
                var lines = try priceLines(
                    request.lines, currency: order.currencyCode, transaction: transaction, families: families)
                var totals = try OrderPricing.price(
                    lines: &lines, discountMinor: order.discountMinor, shippingMinor: order.shippingFeeMinor)
                _ = try reserve(
                    &lines, orderID: order.id, requestID: request.requestID, actor: actor, transaction: &transaction,
                    families: families)
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
            if order.flags.contains(.incomplete) && isComplete(order.shippingAddress) {
                order.flags.removeAll { $0 == .incomplete }
                order.holdReasons.removeAll { $0.hasPrefix("shipping address") }
                if order.flags.isEmpty && lifecycle.status == .onHold { try lifecycle.apply(.release) }
            }
            order.status = lifecycle.status
            order.heldFrom = lifecycle.heldFrom
            order.version += 1
            order.updatedAtMillis = transaction.now / 1_000_000
            let sequence = try commit(
                order, previous: previous, action: "updated",
                detail: changes.isEmpty ? "no changes" : changes.joined(separator: "; "), eventType: "order.updated",
                actor: actor, requestID: request.requestID, method: updateMethod, store: store,
                transaction: &transaction)
            return (Oms_V1_UpdateOrderResponse.with { $0.order = order }, sequence)
        }
    }

    /// Releases the open reservations of an order (ledger rows and levels).
    static func releaseReservations(
        _ orderID: String, reason: String, requestID: String, actor: String, transaction: inout WriteTransaction,
        families: ColumnFamilies
    ) throws {
        var prefix: [UInt8] = []
        KeyCodec.append(orderID, to: &prefix)
        for row in try transaction.scan(families.reservations, prefix: prefix, limit: Int.max) {
            let record = try Oms_V1_ReservationRecord(serializedBytes: row.value)
            try StockLedger.apply(
                &transaction, families: families, sku: record.sku, warehouse: record.warehouseCode, kind: .release,
                onHandDelta: 0, reservedDelta: -record.quantity, reason: reason, orderID: orderID,
                requestID: requestID, actor: actor)
            transaction.delete(families.reservations, row.key)
        }
    }
}

extension Oms_V1_ApproveOrderRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
extension Oms_V1_RejectOrderRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
extension Oms_V1_UpdateOrderRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
extension Oms_V1_CreateShipmentRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
extension Oms_V1_AddTrackingEventRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
extension Oms_V1_RefundOrderRequest {
    var canonical: Self {
        var copy = self
        copy.requestID = ""
        return copy
    }
}
