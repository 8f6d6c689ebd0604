import OMSCore
import OMSProto
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An OMSStore in its own temporary directory with a manual clock, plus the
/// domain services the order tests use.
final class OrderFixture: Sendable {
    let directory: String
    let clock: ManualClock
    let store: OMSStore
    let orders: Orders
    let inventory: Inventory
    let customers: Customers
    let catalog: Catalog

    init(policy: OrderPolicy = .defaults) throws {
        var template = Array("/tmp/omscore-orders-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        clock = ManualClock()
        store = try OMSStore(path: directory + "/db", clock: clock)
        orders = Orders(store: store, policy: policy)
        inventory = Inventory(store: store)
        customers = Customers(store: store)
        catalog = Catalog(store: store)
    }

    func close() {
        store.close()
        _ = system("rm -rf '\(directory)'")
    }

    // MARK: Setup helpers

    func product(_ sku: String, price: Int64 = 1000, currency: String = "USD", weightGrams: Int64 = 0) async throws {
        let request = Oms_V1_UpsertProductRequest.with {
            $0.product = Oms_V1_Product.with {
                $0.sku = sku
                $0.name = "Product \(sku)"
                $0.weightGrams = weightGrams
                $0.unitPrice = Oms_V1_Money.with {
                    $0.currencyCode = currency
                    $0.amountMinor = price
                }
            }
        }
        _ = try await catalog.upsert(request, actor: "test")
    }

    func warehouse(_ code: String, priority: Int32) async throws {
        _ = try await inventory.createWarehouse(
            .with {
                $0.warehouse = .with {
                    $0.code = code
                    $0.priority = priority
                }
            }, actor: "test")
    }

    @discardableResult
    func adjust(_ sku: String, in warehouse: String, by delta: Int64) async throws -> Oms_V1_AdjustStockResponse {
        try await inventory.adjustStock(
            .with {
                $0.sku = sku
                $0.warehouseCode = warehouse
                $0.delta = delta
                $0.reason = "test"
            }, actor: "test")
    }

    func stock(_ sku: String, in warehouse: String = "") throws -> Oms_V1_GetStockResponse {
        try inventory.stock(
            .with {
                $0.sku = sku
                $0.warehouseCode = warehouse
            })
    }

    /// A standard setup: SKU-A (10.00 USD) and SKU-B (2.50 USD), warehouses
    /// MAIN (priority 1) and EAST (priority 2), and a customer with an address.
    func standardSetup(mainA: Int64 = 10, eastA: Int64 = 0, mainB: Int64 = 10, eastB: Int64 = 0) async throws {
        try await product("SKU-A", price: 1000)
        try await product("SKU-B", price: 250)
        try await warehouse("MAIN", priority: 1)
        try await warehouse("EAST", priority: 2)
        if mainA > 0 { try await adjust("SKU-A", in: "MAIN", by: mainA) }
        if eastA > 0 { try await adjust("SKU-A", in: "EAST", by: eastA) }
        if mainB > 0 { try await adjust("SKU-B", in: "MAIN", by: mainB) }
        if eastB > 0 { try await adjust("SKU-B", in: "EAST", by: eastB) }
        _ = try await customers.upsert(
            .with {
                $0.customer = .with {
                    $0.id = "C1"
                    $0.name = "Ada"
                    $0.email = "ada@example.com"
                    $0.addresses = [address()]
                }
            }, actor: "test")
        try expectConsistent()
    }

    func create(
        _ lines: [(String, Int64)], customer: String = "C1", requestID: String = "", externalRef: String = "",
        channel: String = "web", withAddress: Bool = true, configure: (inout Oms_V1_Order) -> Void = { _ in }
    ) async throws -> Oms_V1_Order {
        var order = Oms_V1_Order()
        order.customerID = customer
        order.channel = channel
        order.currencyCode = "USD"
        order.externalRef = externalRef
        order.lines = lines.map { sku, quantity in
            Oms_V1_OrderLine.with {
                $0.sku = sku
                $0.quantity = quantity
            }
        }
        if withAddress { order.shippingAddress = address() }
        configure(&order)
        let request = Oms_V1_CreateOrderRequest.with {
            $0.requestID = requestID
            $0.order = order
        }
        let response = try await orders.create(request, actor: "test")
        try expectConsistent()
        return response.order!
    }

    func pay(
        _ id: String, _ amount: Int64, currency: String = "USD", requestID: String = ""
    ) async throws
        -> Oms_V1_RecordPaymentResponse
    {
        let response = try await orders.recordPayment(
            .with {
                $0.requestID = requestID
                $0.orderID = id
                $0.amount = Oms_V1_Money.with {
                    $0.currencyCode = currency
                    $0.amountMinor = amount
                }
            }, actor: "test")
        try expectConsistent()
        return response
    }

    func cancel(
        _ id: String, reason: String = "customer asked", requestID: String = ""
    ) async throws
        -> Oms_V1_CancelOrderResponse
    {
        let response = try await orders.cancel(
            .with {
                $0.requestID = requestID
                $0.id = id
                $0.reason = reason
            }, actor: "test")
        try expectConsistent()
        return response
    }

    /// reserved == sum of open reservations, levels == ledger sums, available >= 0.
    func expectConsistent(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try inventory.invariantViolations()
        #expect(problems == [], sourceLocation: sourceLocation)
    }
}

func address() -> Oms_V1_Address {
    .with {
        $0.name = "Ada Lovelace"
        $0.line1 = "1 Main St"
        $0.city = "London"
        $0.countryCode = "GB"
    }
}

func withOrderFixture(policy: OrderPolicy = .defaults, _ body: (OrderFixture) async throws -> Void) async throws {
    let fixture = try OrderFixture(policy: policy)
    defer { fixture.close() }
    try await body(fixture)
}

/// The DomainError a call throws, or nil.
func domainError(_ body: () async throws -> Void) async -> DomainError? {
    do {
        try await body()
        return nil
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
