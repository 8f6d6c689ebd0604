import OMSCore
import OMSProto
import RPC

/// `oms.v1.OrderService`: reads answer on the event loop; commands go to the
/// single writer and answer when durable.
struct OrderServiceProvider {
    let orders: Orders
    let reads: ReadPool

    func register(in router: inout Router) {
        let orders = self.orders
        router.unary(Oms_V1_OrderService.Method.createOrder) { request, context, responder in
            orders.create(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.clientStreaming(Oms_V1_OrderService.Method.importOrders) { requests, context in
            let report = try await OrderImport(orders: orders).run(requests, actor: context.principal ?? "anonymous")
            return Self.response(report)
        }
        router.unary(Oms_V1_OrderService.Method.recordPayment) { request, context, responder in
            orders.recordPayment(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.cancelOrder) { request, context, responder in
            orders.cancel(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.approveOrder) { request, context, responder in
            orders.approve(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.rejectOrder) { request, context, responder in
            orders.reject(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.updateOrder) { request, context, responder in
            orders.update(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.createShipment) { request, context, responder in
            orders.ship(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.addTrackingEvent) { request, context, responder in
            orders.track(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.refundOrder) { request, context, responder in
            orders.refund(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.createReturn) { request, context, responder in
            orders.createReturn(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.receiveReturn) { request, context, responder in
            orders.receiveReturn(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.rateOrder) { request, context, responder in
            orders.rate(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_OrderService.Method.getOrder) { request, _, responder in
            // GetOrderResponse{order = 1}: wrap the stored bytes as they are (no decode, no encode).
            do {
                responder.succeed(
                    framed: try orders.withStoredOrder(id: request.id) {
                        GRPCFraming.frameEmbedded(fieldNumber: 1, encoded: $0)
                    })
            } catch {
                responder.fail(ErrorMapping.rpcError(error))
            }
        }
        router.scan(Oms_V1_OrderService.Method.listOrders, on: reads) { try orders.list($0) }
        router.scan(Oms_V1_OrderService.Method.getInvoice, on: reads) { try orders.invoice($0) }
        router.scan(Oms_V1_OrderService.Method.getShippingLabel, on: reads) { try orders.shippingLabel($0) }
        router.scan(Oms_V1_OrderService.Method.getOrderHistory, on: reads) { try orders.history($0) }
    }

    /// The import summary, each failure with the status CreateOrder would have answered.
    static func response(_ report: OrderImport.Report) -> Oms_V1_ImportOrdersResponse {
        var response = Oms_V1_ImportOrdersResponse()
        response.received = UInt64(report.received)
        response.created = UInt64(report.created)
        response.failed = UInt64(report.failed)
        response.firstOrderID = report.firstOrderID
        response.lastOrderID = report.lastOrderID
        response.failures = report.failures.map { failure in
            var row = Oms_V1_ImportOrderFailure()
            row.index = UInt64(failure.index)
            row.requestID = failure.requestID
            let status = ErrorMapping.rpcError(failure.error)
            row.code = status.code.rawValue
            row.message = status.message
            if let error = failure.error as? DomainError {
                row.reason = error.reason ?? ""
                row.fields = error.violations.map(\.field)
            }
            return row
        }
        return response
    }
}
