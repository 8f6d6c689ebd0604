import OMSClient
import OMSCore
import Testing

@Suite("Orders through the Swift SDK")
struct OrderSDKTests {
    @Test("client.inventory / customers / orders: a full order from creation to cancellation")
    func sdkFlow() async throws {
        try await withDaemon { omsd in
            let client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
            do {
                _ = try await client.catalog.upsertProduct(
                    .with {
                        $0.sku = "SDK-1"
                        $0.name = "Kettle"
                        $0.unitPrice = .with {
                            $0.currencyCode = "EUR"
                            $0.amountMinor = 4999
                        }
                    })
                let warehouse = try await client.inventory.createWarehouse(code: "DC1", name: "DC 1", priority: 1)
                #expect(warehouse.code == "DC1")
                #expect(try await client.inventory.warehouses().map(\.code) == ["DC1"])
                let (level, move) = try await client.inventory.adjustStock(
                    sku: "SDK-1", warehouse: "DC1", delta: 5, reason: "receipt")
                #expect(level.available == 5)
                #expect(move.kind == .adjustment)

                let (customer, created) = try await client.customers.upsert(
                    .with {
                        $0.name = "Grace"
                        $0.email = "grace@example.com"
                        $0.addresses = [
                            .with {
                                $0.line1 = "2 Side St"
                                $0.city = "Berlin"
                                $0.countryCode = "DE"
                            }
                        ]
                    })
                #expect(created)
                #expect(try await client.customers.get(id: customer.id).name == "Grace")
                #expect(try await client.customers.list().items.count == 1)

                let order = try await client.orders.create(
                    .with {
                        $0.customerID = customer.id
                        $0.channel = "phone"
                        $0.currencyCode = "EUR"
                        $0.lines = [
                            .with {
                                $0.sku = "SDK-1"
                                $0.quantity = 2
                            }
                        ]
                    })
                #expect(order.status == .pendingPayment)
                #expect(order.shippingAddress?.city == "Berlin")
                #expect(try await client.orders.get(id: order.id) == order)
                #expect(try await client.orders.list(customerID: customer.id).items.map(\.id) == [order.id])

                let (paid, outstanding) = try await client.orders.recordPayment(
                    orderID: order.id,
                    amount: .with {
                        $0.currencyCode = "EUR"
                        $0.amountMinor = 9998
                    }, reference: "PSP-1")
                #expect(paid.status == .paid)
                #expect(outstanding == 0)

                let (cancelled, fee, rule) = try await client.orders.cancel(id: order.id, reason: "changed mind")
                #expect(cancelled.status == .cancelled)
                #expect(fee.amountMinor == 0)
                #expect(!rule.isEmpty)
                #expect(try await client.inventory.stock(sku: "SDK-1").reserved == 0)

                let history = try await client.orders.history(id: order.id)
                #expect(history.items.map(\.action) == ["created", "payment_recorded", "cancelled"])

                do {
                    _ = try await client.orders.create(
                        .with {
                            $0.currencyCode = "EUR"
                            $0.lines = [
                                .with {
                                    $0.sku = "SDK-1"
                                    $0.quantity = 6
                                }
                            ]
                        })
                    Issue.record("oversold")
                } catch let error as OMSError {
                    #expect(error.code == .failedPrecondition)
                }
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }
}

@Suite("Orders through the Swift SDK: creation to refund")
struct OrderSDKFullFlowTests {
    @Test("create → approve (above the threshold) → pay → ship in two parts → deliver → return → refund")
    func creationToRefund() async throws {
        try await withDaemon { omsd in
            let client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
            do {
                _ = try await client.catalog.upsertProduct(
                    .with {
                        $0.sku = "TV-65"
                        $0.name = "Television"
                        $0.unitPrice = .with {
                            $0.currencyCode = "USD"
                            $0.amountMinor = 600_000
                        }
                    })
                _ = try await client.inventory.createWarehouse(code: "DC1", priority: 1)
                _ = try await client.inventory.adjustStock(sku: "TV-65", warehouse: "DC1", delta: 4, reason: "receipt")
                let address = Oms_V1_Address.with {
                    $0.line1 = "5 Elm St"
                    $0.city = "Boston"
                    $0.countryCode = "US"
                }

                // 1 200 000 minor units: above the default 1-approval threshold (1 000 000).
                var order = try await client.orders.create(
                    .with {
                        $0.customerID = "B2B-1"
                        $0.channel = "erp"
                        $0.currencyCode = "USD"
                        $0.externalRef = "PO-1"
                        $0.shippingAddress = address
                        $0.lines = [
                            .with {
                                $0.sku = "TV-65"
                                $0.quantity = 2
                            }
                        ]
                    })
                #expect(order.status == .pendingReview)
                #expect(order.approvalsRequired == 1)
                order = try await client.orders.approve(id: order.id, comment: "known customer")
                #expect(order.status == .pendingPayment)

                do {
                    _ = try await client.orders.update(id: order.id, version: 1, notes: "late")
                    Issue.record("a stale version was accepted")
                } catch let error as OMSError {
                    #expect(error.code == .aborted)
                }
                order = try await client.orders.update(id: order.id, version: order.version, notes: "deliver to dock 3")
                #expect(order.notes == "deliver to dock 3")

                (order, _) = try await client.orders.recordPayment(
                    orderID: order.id,
                    amount: .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 1_200_000
                    })
                #expect(order.status == .paid)

                let (partly, first) = try await client.orders.ship(orderID: order.id, lines: [(0, 1)], carrier: "UPS")
                #expect(partly.status == .partiallyShipped)
                let (shipped, second) = try await client.orders.ship(orderID: order.id)
                #expect(shipped.status == .shipped)
                let stock = try await client.inventory.stock(sku: "TV-65")
                #expect((stock.onHand, stock.reserved, stock.available) == (2, 0, 2))

                _ = try await client.orders.addTrackingEvent(orderID: order.id, shipmentID: first.id, kind: .delivered)
                order = try await client.orders.addTrackingEvent(
                    orderID: order.id, shipmentID: second.id, kind: .delivered)
                #expect(order.status == .delivered)

                let (_, rma) = try await client.orders.createReturn(
                    orderID: order.id, lines: [(0, 1)], reason: "scratched")
                order = try await client.orders.receiveReturn(orderID: order.id, returnID: rma.id, warehouse: "DC1")
                #expect(order.status == .returned)
                #expect(try await client.inventory.stock(sku: "TV-65").onHand == 3)

                order = try await client.orders.refund(
                    orderID: order.id,
                    amount: .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 600_000
                    }, reason: "one TV back")
                #expect(order.status == .returned)
                #expect(order.totals?.refundedMinor == 600_000)
                order = try await client.orders.refund(
                    orderID: order.id,
                    amount: .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 600_000
                    }, reason: "goodwill")
                #expect(order.status == .refunded)

                let invoice = try await client.orders.invoice(orderID: order.id)
                #expect(invoice.number.hasPrefix("INV-"))
                #expect(invoice.totals?.totalMinor == 1_200_000)
                order = try await client.orders.rate(orderID: order.id, rating: 3, comment: "ok")
                #expect(order.feedback?.rating == 3)
                let byRef = try await client.orders.list(channel: "erp", externalRef: "PO-1")
                #expect(byRef.items.map(\.id) == [order.id])

                let history = try await client.orders.history(id: order.id)
                #expect(
                    history.items.map(\.action) == [
                        "created", "approved", "updated", "payment_recorded", "partially_shipped", "shipped",
                        "shipment_delivered", "delivered", "return_requested", "return_received", "refunded",
                        "refunded", "rated",
                    ])
                #expect(try Inventory(store: omsd.daemon.store).invariantViolations() == [])
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }
}
