import OMSCore
import OMSProto
import RPC

/// `oms.v1.OrderService`: reads answer on the event loop; commands go to the
/// single writer and answer when durable.
struct OrderServiceProvider {
    let store: OMSStore
    let orders: Orders
    let reads: ReadPool

    func register(in router: inout Router) {
        let orders = self.orders
        let policy = orders.policy
        router.command(CreateOrder(policy: policy), on: store)
        router.clientStreaming(Oms_V1_OrderService.Method.importOrders) { requests, context in
            let report = try await OrderImport(orders: orders).run(requests, actor: context.principal ?? "anonymous")
            return Self.response(report)
        }
        router.command(RecordPayment(), on: store)
        router.command(CancelOrder(policy: policy), on: store)
        router.command(ApproveOrder(), on: store)
        router.command(RejectOrder(), on: store)
        router.command(UpdateOrder(policy: policy), on: store)
        router.command(CreateShipment(), on: store)
        router.command(AddTrackingEvent(policy: policy), on: store)
        router.command(RefundOrder(), on: store)
        router.command(CreateReturn(), on: store)
        router.command(ReceiveReturn(), on: store)
        router.command(RateOrder(), on: store)
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
