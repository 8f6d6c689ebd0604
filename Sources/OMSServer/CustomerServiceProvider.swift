import OMSCore
import OMSProto
import RPC

/// `oms.v1.CustomerService`: customer records.
struct CustomerServiceProvider {
    let store: OMSStore
    let customers: Customers
    let reads: ReadPool

    func register(in router: inout Router) {
        let customers = self.customers
        router.command(UpsertCustomer(), on: store)
        router.pointRead(Oms_V1_CustomerService.Method.getCustomer) { request in
            var response = Oms_V1_GetCustomerResponse()
            response.customer = try customers.customer(id: request.id)
            return response
        }
        router.scan(Oms_V1_CustomerService.Method.listCustomers, on: reads) { try customers.list($0) }
    }
}
