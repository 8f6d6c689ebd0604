extension OMSClient {
    /// `oms.v1.OrderService`: order entry, payment, cancellation and history.
    public var orders: Orders { Orders(client: self) }

    /// Calls of `oms.v1.OrderService`.
    public struct Orders: Sendable {
        let client: OMSClient

        /// Creates an order and reserves stock for every line in the same
        /// durable write (all or nothing).
        ///
        /// The call is idempotent: it carries one `request_id` (generated
        /// unless you pass one) and every retry after
        /// ``OMSError/Code/unavailable`` reuses it, so the order is created at
        /// most once.
        ///
        /// ```swift
        /// var order = Oms_V1_Order()
        /// order.customerID = "C-1"
        /// order.channel = "web"
        /// order.currencyCode = "EUR"
        /// order.lines = [.with { $0.sku = "MUG-350"; $0.quantity = 2 }]
        /// let created = try await client.orders.create(order)
        /// print(created.id, created.status)
        /// ```
        ///
        /// - Throws: ``OMSError`` with ``OMSError/Code/failedPrecondition``
        ///   (reason `INSUFFICIENT_STOCK`, naming the sku) when stock is short,
        ///   ``OMSError/Code/alreadyExists`` when `external_ref` is taken in the channel.
        public func create(
            _ order: Oms_V1_Order, requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_CreateOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.order = order
            let response = try await client.call(
                Oms_V1_OrderService.Method.createOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "CreateOrder")
        }

        /// The order with this id; ``OMSError/Code/notFound`` when there is none.
        public func get(id: String, options: CallOptions = CallOptions()) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_GetOrderRequest()
            request.id = id
            let response = try await client.call(
                Oms_V1_OrderService.Method.getOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "GetOrder")
        }

        /// One page of orders, newest first, optionally filtered.
        ///
        /// - Parameters:
        ///   - status: only orders in this status; `.unspecified` for all.
        ///   - customerID: only this customer's orders.
        ///   - channel: only orders from this channel.
        ///   - flag: only orders carrying this review flag (the exception queue).
        ///   - createdFromMillis: only orders created at or after this time (0: no bound).
        ///   - createdToMillis: only orders created before this time (0: no bound).
        ///   - externalRef: the order with this channel reference (needs `channel`).
        public func list(
            status: Oms_V1_OrderStatus = .unspecified, customerID: String = "", channel: String = "",
            flag: Oms_V1_OrderFlag = .unspecified, createdFromMillis: Int64 = 0, createdToMillis: Int64 = 0,
            externalRef: String = "", pageSize: Int = 0, pageToken: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_Order> {
            guard (0...Int(Int32.max)).contains(pageSize) else {
                throw OMSError(
                    code: .invalidArgument, message: "pageSize must be from 0 to 1000",
                    fieldViolations: [.init(field: "page_size", description: "must be from 0 to 1000")])
            }
            var request = Oms_V1_ListOrdersRequest()
            request.status = status
            request.customerID = customerID
            request.channel = channel
            request.flag = flag
            request.createdFromMillis = createdFromMillis
            request.createdToMillis = createdToMillis
            request.externalRef = externalRef
            request.pageSize = Int32(pageSize)
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_OrderService.Method.listOrders, request, options: options, idempotent: true)
            return Page(
                items: response.orders, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Every matching order, newest first, fetching pages as the sequence is iterated.
        public func all(
            status: Oms_V1_OrderStatus = .unspecified, customerID: String = "", channel: String = "",
            flag: Oms_V1_OrderFlag = .unspecified, pageSize: Int = 0, options: CallOptions = CallOptions()
        ) -> AsyncThrowingStream<Oms_V1_Order, any Error> {
            let cursor = PageCursor<Oms_V1_Order> { token throws(OMSError) in
                try await self.list(
                    status: status, customerID: customerID, channel: channel, flag: flag, pageSize: pageSize,
                    pageToken: token, options: options)
            }
            return AsyncThrowingStream(unfolding: { try await cursor.next() })
        }

        /// Records a payment. Partial payments add up; paying the rest moves
        /// the order to PAID. The amount must be in the order's currency
        /// (``OMSError/Code/invalidArgument``) and at most what is still due
        /// (``OMSError/Code/failedPrecondition``, reason `OVERPAYMENT`).
        ///
        /// - Returns: the order after the payment and what is still outstanding.
        public func recordPayment(
            orderID: String, amount: Oms_V1_Money, reference: String = "", requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (order: Oms_V1_Order, outstandingMinor: Int64) {
            var request = Oms_V1_RecordPaymentRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.amount = amount
            request.reference = reference
            let response = try await client.call(
                Oms_V1_OrderService.Method.recordPayment, request, options: options, idempotent: true)
            return (try Self.require(response.order, "RecordPayment"), response.outstandingMinor)
        }

        /// Cancels the order and releases its stock. Free within the server's
        /// free window after placement (default 24 h), a fee after it, refused
        /// once shipped.
        ///
        /// - Returns: the cancelled order, the fee charged and the rule that decided it.
        public func cancel(
            id: String, reason: String = "", requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (order: Oms_V1_Order, fee: Oms_V1_Money, feeRule: String) {
            var request = Oms_V1_CancelOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.id = id
            request.reason = reason
            let response = try await client.call(
                Oms_V1_OrderService.Method.cancelOrder, request, options: options, idempotent: true)
            return (try Self.require(response.order, "CancelOrder"), response.fee ?? Oms_V1_Money(), response.feeRule)
        }

        /// One page of the order's history, oldest first.
        public func history(
            id: String, pageSize: Int = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_OrderHistoryEntry> {
            guard (0...Int(Int32.max)).contains(pageSize) else {
                throw OMSError(code: .invalidArgument, message: "pageSize must be from 0 to 1000")
            }
            var request = Oms_V1_GetOrderHistoryRequest()
            request.id = id
            request.pageSize = Int32(pageSize)
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_OrderService.Method.getOrderHistory, request, options: options, idempotent: true)
            return Page(
                items: response.entries, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Approves an order under review (each user once; it needs
        /// `approvals_required` different users) or releases an order on hold.
        public func approve(
            id: String, comment: String = "", requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_ApproveOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.id = id
            request.comment = comment
            let response = try await client.call(
                Oms_V1_OrderService.Method.approveOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "ApproveOrder")
        }

        /// Rejects an order under review or on hold: it is cancelled and its stock released.
        public func reject(
            id: String, reason: String, requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_RejectOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.id = id
            request.reason = reason
            let response = try await client.call(
                Oms_V1_OrderService.Method.rejectOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "RejectOrder")
        }

        /// Changes an unpaid order. `version` is the version you read
        /// (``OMSError/Code/aborted`` when the order changed since); non-empty
        /// `lines` replace every line and are re-reserved atomically.
        public func update(
            id: String, version: Int64, lines: [Oms_V1_OrderLine] = [], shippingAddress: Oms_V1_Address? = nil,
            billingAddress: Oms_V1_Address? = nil, notes: String = "", requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_UpdateOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.id = id
            request.version = version
            request.lines = lines
            request.shippingAddress = shippingAddress
            request.billingAddress = billingAddress
            request.notes = notes
            let response = try await client.call(
                Oms_V1_OrderService.Method.updateOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "UpdateOrder")
        }

        /// Ships `lines` (line index and quantity), or everything not shipped
        /// yet when empty, consuming the reservations.
        public func ship(
            orderID: String, lines: [(lineIndex: Int, quantity: Int64)] = [], carrier: String = "",
            trackingNumber: String = "", requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (order: Oms_V1_Order, shipment: Oms_V1_Shipment) {
            var request = Oms_V1_CreateShipmentRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.lines = lines.map { line in
                Oms_V1_ShipmentLine.with {
                    $0.lineIndex = UInt32(clamping: line.lineIndex)
                    $0.quantity = line.quantity
                }
            }
            request.carrier = carrier
            request.trackingNumber = trackingNumber
            let response = try await client.call(
                Oms_V1_OrderService.Method.createShipment, request, options: options, idempotent: true)
            return (try Self.require(response.order, "CreateShipment"), response.shipment ?? Oms_V1_Shipment())
        }

        /// Records a carrier event for a shipment; `.delivered` for every
        /// shipment makes the order DELIVERED, `.exception` flags it.
        public func addTrackingEvent(
            orderID: String, shipmentID: String, kind: Oms_V1_TrackingEventKind, detail: String = "",
            requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_AddTrackingEventRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.shipmentID = shipmentID
            request.kind = kind
            request.detail = detail
            let response = try await client.call(
                Oms_V1_OrderService.Method.addTrackingEvent, request, options: options, idempotent: true)
            return try Self.require(response.order, "AddTrackingEvent")
        }

        /// Refunds money paid, fully or partly; never more than paid and not yet refunded.
        public func refund(
            orderID: String, amount: Oms_V1_Money, reason: String = "", requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_RefundOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.amount = amount
            request.reason = reason
            let response = try await client.call(
                Oms_V1_OrderService.Method.refundOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "RefundOrder")
        }

        /// Opens a return for delivered units (`lines` of line index and
        /// quantity; empty for everything shipped and not yet returned).
        public func createReturn(
            orderID: String, lines: [(lineIndex: Int, quantity: Int64)] = [], reason: String, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (order: Oms_V1_Order, rma: Oms_V1_OrderReturn) {
            var request = Oms_V1_CreateReturnRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.lines = lines.map { line in
                Oms_V1_ReturnLine.with {
                    $0.lineIndex = UInt32(clamping: line.lineIndex)
                    $0.quantity = line.quantity
                }
            }
            request.reason = reason
            let response = try await client.call(
                Oms_V1_OrderService.Method.createReturn, request, options: options, idempotent: true)
            return (try Self.require(response.order, "CreateReturn"), response.rma ?? Oms_V1_OrderReturn())
        }

        /// Receives a return: restocked into `warehouse`, or scrapped.
        public func receiveReturn(
            orderID: String, returnID: String, warehouse: String = "", scrap: Bool = false, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_ReceiveReturnRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.returnID = returnID
            request.warehouseCode = warehouse
            request.scrap = scrap
            let response = try await client.call(
                Oms_V1_OrderService.Method.receiveReturn, request, options: options, idempotent: true)
            return try Self.require(response.order, "ReceiveReturn")
        }

        /// Invoice data of an order paid in full.
        public func invoice(
            orderID: String, options: CallOptions = CallOptions()
        ) async throws(OMSError)
            -> Oms_V1_Invoice
        {
            var request = Oms_V1_GetInvoiceRequest()
            request.orderID = orderID
            return try await client.call(
                Oms_V1_OrderService.Method.getInvoice, request, options: options, idempotent: true)
        }

        /// Shipping-label data for what is still to ship, or for one shipment.
        public func shippingLabel(
            orderID: String, shipmentID: String = "", options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_ShippingLabel
        {
            var request = Oms_V1_GetShippingLabelRequest()
            request.orderID = orderID
            request.shipmentID = shipmentID
            return try await client.call(
                Oms_V1_OrderService.Method.getShippingLabel, request, options: options, idempotent: true)
        }

        /// The customer's rating (1-5) and comment for a delivered order, once.
        public func rate(
            orderID: String, rating: Int, comment: String = "", requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Order {
            var request = Oms_V1_RateOrderRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.orderID = orderID
            request.rating = Int32(clamping: rating)
            request.comment = comment
            let response = try await client.call(
                Oms_V1_OrderService.Method.rateOrder, request, options: options, idempotent: true)
            return try Self.require(response.order, "RateOrder")
        }

        static func require<T>(_ value: T?, _ method: String) throws(OMSError) -> T {
            guard let value else {
                throw OMSError(code: .internalError, message: "the server answered \(method) without an order")
            }
            return value
        }
    }
}
