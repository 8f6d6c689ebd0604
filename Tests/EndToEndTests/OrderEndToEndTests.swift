import OMSCore
import OMSProto
import RPC
import Testing

typealias OrderRPC = Oms_V1_OrderService.Method
typealias InventoryRPC = Oms_V1_InventoryService.Method

/// Catalog product, warehouse and stock through gRPC.
func stockUp(
    _ omsd: DaemonHarness, sku: String, units: Int64, warehouse: String = "MAIN", price: Int64 = 1250
)
    async throws
{
    _ = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = product(sku, price: price) })
    let existing = try await omsd.client.unary(InventoryRPC.listWarehouses, .init())
    if !existing.warehouses.contains(where: { $0.code == warehouse }) {
        _ = try await omsd.client.unary(
            InventoryRPC.createWarehouse,
            .with {
                $0.warehouse = .with {
                    $0.code = warehouse
                    $0.name = "Main"
                    $0.priority = 1
                }
            })
    }
    _ = try await omsd.client.unary(
        InventoryRPC.adjustStock,
        .with {
            $0.requestID = "stock-\(sku)-\(warehouse)"
            $0.warehouseCode = warehouse
            $0.sku = sku
            $0.delta = units
            $0.reason = "receipt"
        })
}

/// A CreateOrder with only the fixed fields of DESIGN.md.
func fixedFieldsOrder(sku: String, quantity: Int64, requestID: String = "") -> Oms_V1_CreateOrderRequest {
    .with {
        $0.requestID = requestID
        $0.order = .with {
            $0.customerID = "CUST-1"
            $0.channel = "web"
            $0.currencyCode = "USD"
            $0.lines = [
                .with {
                    $0.sku = sku
                    $0.quantity = quantity
                }
            ]
        }
    }
}

func expectStockInvariants(_ omsd: DaemonHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(try Inventory(store: omsd.daemon.store).invariantViolations() == [], sourceLocation: sourceLocation)
}

@Suite("Orders end to end")
struct OrderEndToEndTests {
    @Test("create with the fixed fields, get, list, pay partially and fully, history, events")
    func lifecycle() async throws {
        try await withDaemon { omsd in
            try await stockUp(omsd, sku: "MUG", units: 10)
            let created = try await omsd.client.unary(
                OrderRPC.createOrder, fixedFieldsOrder(sku: "MUG", quantity: 3, requestID: "o-1"))
            let order = try #require(created.order)
            #expect(order.id.hasPrefix("ord_"))
            #expect(order.status == .onHold)  // no address: INCOMPLETE, on hold, stock reserved
            #expect(order.flags == [.incomplete])
            #expect(order.version == 1)
            #expect(order.totals?.totalMinor == 3750)
            #expect(order.lines.first?.reservations.first?.warehouseCode == "MAIN")
            try expectStockInvariants(omsd)

            let stock = try await omsd.client.unary(InventoryRPC.getStock, .with { $0.sku = "MUG" })
            #expect((stock.onHand, stock.reserved, stock.available) == (10, 3, 7))

            let fetched = try await omsd.client.unary(OrderRPC.getOrder, .with { $0.id = order.id })
            #expect(fetched.order == order)
            let listed = try await omsd.client.unary(OrderRPC.listOrders, .with { $0.status = .onHold })
            #expect(listed.orders.map(\.id) == [order.id])

            let retry = try await omsd.client.unary(
                OrderRPC.createOrder, fixedFieldsOrder(sku: "MUG", quantity: 3, requestID: "o-1"))
            #expect(retry == created)

            let partial = try await omsd.client.unary(
                OrderRPC.recordPayment,
                .with {
                    $0.requestID = "p-1"
                    $0.orderID = order.id
                    $0.amount = .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 1000
                    }
                })
            #expect(partial.outstandingMinor == 2750)
            let full = try await omsd.client.unary(
                OrderRPC.recordPayment,
                .with {
                    $0.requestID = "p-2"
                    $0.orderID = order.id
                    $0.amount = .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 2750
                    }
                })
            #expect(full.order?.heldFrom == .paid)
            let over = await rpcError {
                _ = try await omsd.client.unary(
                    OrderRPC.recordPayment,
                    .with {
                        $0.orderID = order.id
                        $0.amount = .with {
                            $0.currencyCode = "USD"
                            $0.amountMinor = 1
                        }
                    })
            }
            #expect(over?.code == .failedPrecondition)
            let wrongCurrency = await rpcError {
                _ = try await omsd.client.unary(
                    OrderRPC.recordPayment,
                    .with {
                        $0.orderID = order.id
                        $0.amount = .with {
                            $0.currencyCode = "EUR"
                            $0.amountMinor = 1
                        }
                    })
            }
            #expect(wrongCurrency?.code == .invalidArgument)
            #expect(wrongCurrency?.fieldViolations.first?.field == "amount.currency_code")

            let cancelled = try await omsd.client.unary(
                OrderRPC.cancelOrder,
                .with {
                    $0.requestID = "c-1"
                    $0.id = order.id
                    $0.reason = "changed mind"
                })
            #expect(cancelled.order?.status == .cancelled)
            #expect(cancelled.fee?.amountMinor == 0)
            #expect(cancelled.feeRule.hasPrefix("free"))
            #expect(cancelled.order?.totals?.refundDueMinor == 3750)
            let after = try await omsd.client.unary(
                InventoryRPC.getStock,
                .with {
                    $0.sku = "MUG"
                    $0.warehouseCode = "MAIN"
                })
            #expect((after.onHand, after.reserved, after.available) == (10, 0, 10))
            try expectStockInvariants(omsd)

            let again = await rpcError {
                _ = try await omsd.client.unary(OrderRPC.cancelOrder, .with { $0.id = order.id })
            }
            #expect(again?.code == .failedPrecondition)
            #expect(again?.message.contains("CANCELLED") == true)

            let history = try await omsd.client.unary(OrderRPC.getOrderHistory, .with { $0.id = order.id })
            #expect(history.entries.map(\.action) == ["created", "payment_recorded", "payment_recorded", "cancelled"])
            #expect(history.entries.map(\.version) == [1, 2, 3, 4])

            var types: [String] = []
            for try await event in omsd.client.serverStreaming(
                Oms_V1_EventService.Method.watchEvents, .with { $0.typePrefixes = ["order."] })
            {
                types.append(event.type)
                if types.count == 4 { break }
            }
            #expect(types == ["order.created", "order.payment_recorded", "order.paid", "order.cancelled"])

            let missing = await rpcError {
                _ = try await omsd.client.unary(OrderRPC.getOrder, .with { $0.id = "ord_NOPE" })
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("not enough stock is FAILED_PRECONDITION naming the sku, with nothing reserved")
    func insufficient() async throws {
        try await withDaemon { omsd in
            try await stockUp(omsd, sku: "A", units: 5)
            try await stockUp(omsd, sku: "B", units: 1)
            var request = fixedFieldsOrder(sku: "A", quantity: 2)
            request.order?.lines.append(
                .with {
                    $0.sku = "B"
                    $0.quantity = 2
                })
            let error = await rpcError { _ = try await omsd.client.unary(OrderRPC.createOrder, request) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.reason == "INSUFFICIENT_STOCK")
            #expect(error?.message.contains("sku B") == true)
            let a = try await omsd.client.unary(InventoryRPC.getStock, .with { $0.sku = "A" })
            #expect(a.reserved == 0)
            try expectStockInvariants(omsd)
        }
    }

    @Test("200 concurrent CreateOrder calls for 50 units: exactly 50 reserved, the rest FAILED_PRECONDITION")
    func concurrentOversell() async throws {
        try await withDaemon { omsd in
            try await stockUp(omsd, sku: "HOT", units: 50)
            let results = try await withThrowingTaskGroup(of: Result<Oms_V1_Order, RPCError>.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            let response = try await omsd.client.unary(
                                OrderRPC.createOrder,
                                fixedFieldsOrder(sku: "HOT", quantity: 1, requestID: "race-\(index)"))
                            return .success(response.order!)
                        } catch let error as RPCError {
                            return .failure(error)
                        }
                    }
                }
                var all: [Result<Oms_V1_Order, RPCError>] = []
                for try await result in group { all.append(result) }
                return all
            }
            let accepted = results.compactMap { try? $0.get() }
            let refused = results.compactMap { result -> RPCError? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(accepted.count == 50)
            #expect(refused.count == 150)
            #expect(refused.allSatisfy { $0.code == .failedPrecondition && $0.reason == "INSUFFICIENT_STOCK" })
            let reservedByOrders = accepted.flatMap(\.lines).flatMap(\.reservations).reduce(Int64(0)) {
                $0 + $1.quantity
            }
            #expect(reservedByOrders == 50)
            #expect(Set(accepted.map(\.id)).count == 50)
            let stock = try await omsd.client.unary(InventoryRPC.getStock, .with { $0.sku = "HOT" })
            #expect((stock.onHand, stock.reserved, stock.available) == (50, 50, 0))
            try expectStockInvariants(omsd)
            let listed = try await omsd.client.unary(OrderRPC.listOrders, .with { $0.pageSize = 1000 })
            #expect(listed.orders.count == 50)
        }
    }

    @Test("an unpaid order from before a restart is cancelled after its deadline after the restart")
    func deadlineAcrossRestart() async throws {
        let clock = ManualClock()
        let first = try await DaemonHarness.start(clock: clock)
        try await stockUp(first, sku: "KEEP", units: 4)
        let created = try await first.client.unary(OrderRPC.createOrder, fixedFieldsOrder(sku: "KEEP", quantity: 3))
        let id = try #require(created.order?.id)
        await first.stop(removeData: false)

        let second = try await DaemonHarness.start(dataDirectory: first.dataDirectory, clock: clock)
        do {
            clock.advance(millis: 3 * 86_400_000 - 1)
            _ = try await second.daemon.timerRunner.fireDueTimers()
            let before = try await second.client.unary(OrderRPC.getOrder, .with { $0.id = id })
            #expect(before.order?.status == .onHold)
            clock.advance(millis: 1)
            _ = try await second.daemon.timerRunner.fireDueTimers()
            let after = try await second.client.unary(OrderRPC.getOrder, .with { $0.id = id })
            #expect(after.order?.status == .cancelled)
            #expect(after.order?.cancelReason == "payment deadline passed")
            let stock = try await second.client.unary(InventoryRPC.getStock, .with { $0.sku = "KEEP" })
            #expect((stock.onHand, stock.reserved, stock.available) == (4, 0, 4))
            try expectStockInvariants(second)
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }

    @Test("the background runner fires deadlines as the injected clock passes them")
    func backgroundRunner() async throws {
        let clock = ManualClock()
        let omsd = try await DaemonHarness.start(clock: clock)
        do {
            try await stockUp(omsd, sku: "BG", units: 2)
            let created = try await omsd.client.unary(OrderRPC.createOrder, fixedFieldsOrder(sku: "BG", quantity: 2))
            clock.advance(millis: 3 * 86_400_000)
            var status = Oms_V1_OrderStatus.unspecified
            for _ in 0..<50 {
                status = try await omsd.client.unary(OrderRPC.getOrder, .with { $0.id = created.order!.id }).order!
                    .status
                if status == .cancelled { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == .cancelled)
        } catch {
            await omsd.stop()
            throw error
        }
        await omsd.stop()
    }

    @Test("customers and warehouses through gRPC")
    func customersAndWarehouses() async throws {
        try await withDaemon { omsd in
            let customers = Oms_V1_CustomerService.Method.self
            let saved = try await omsd.client.unary(
                customers.upsertCustomer,
                .with {
                    $0.customer = .with {
                        $0.id = "C-9"
                        $0.name = "Grace"
                        $0.email = "g@example.com"
                    }
                })
            #expect(saved.created)
            let got = try await omsd.client.unary(customers.getCustomer, .with { $0.id = "C-9" })
            #expect(got.customer?.email == "g@example.com")
            let list = try await omsd.client.unary(customers.listCustomers, .init())
            #expect(list.customers.map(\.id) == ["C-9"])
            _ = try await omsd.client.unary(
                InventoryRPC.createWarehouse,
                .with {
                    $0.warehouse = .with {
                        $0.code = "B"
                        $0.priority = 2
                    }
                })
            _ = try await omsd.client.unary(
                InventoryRPC.createWarehouse,
                .with {
                    $0.warehouse = .with {
                        $0.code = "A"
                        $0.priority = 5
                    }
                })
            let warehouses = try await omsd.client.unary(InventoryRPC.listWarehouses, .init())
            #expect(warehouses.warehouses.map(\.code) == ["B", "A"])
            let unknown = await rpcError {
                _ = try await omsd.client.unary(
                    InventoryRPC.getStock,
                    .with {
                        $0.sku = "X"
                        $0.warehouseCode = "NOPE"
                    })
            }
            #expect(unknown?.code == .notFound)
        }
    }
}
