import OMSCore
import OMSProto
import RPC

/// `oms.v1.CustomerService`: customer records.
struct CustomerServiceProvider {
    let customers: Customers

    func register(in router: inout Router) {
        let customers = self.customers
        router.unary(Oms_V1_CustomerService.Method.upsertCustomer) { request, context, responder in
            customers.upsert(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_CustomerService.Method.getCustomer) { request, _, responder in
            responder.answer {
                var response = Oms_V1_GetCustomerResponse()
                response.customer = try customers.customer(id: request.id)
                return response
            }
        }
        router.unary(Oms_V1_CustomerService.Method.listCustomers) { request, _, responder in
            responder.answer { try customers.list(request) }
        }
    }
}
