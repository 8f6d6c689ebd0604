import OMSCore
import OMSProto
import Testing

@Suite("Updates, shipments, tracking and refunds")
struct OrderFulfilmentTests {
    @Test("UpdateOrder: version mismatch is ABORTED; new lines are re-reserved atomically; an address ends the hold")
    func update() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 5, mainB: 5)
            let order = try await f.create([("SKU-A", 2)], customer: "UNKNOWN", withAddress: false)
            #expect(order.status == .onHold)
            let stale = await domainError {
                _ = try await f.orders.update(
                    .with {
                        $0.id = order.id
                        $0.version = 7
                        $0.notes = "x"
                    }, actor: "t")
            }
            #expect(stale?.kind == .aborted)
            #expect(stale?.reason == "VERSION_MISMATCH")

            let tooMuch = await domainError {
                _ = try await f.orders.update(
                    .with {
                        $0.id = order.id
                        $0.version = 1
                        $0.lines = [
                            .with {
                                $0.sku = "SKU-A"
                                $0.quantity = 6
                            }
                        ]
                    },
                    actor: "t")
            }
            #expect(tooMuch?.reason == "INSUFFICIENT_STOCK")
            #expect(try f.stock("SKU-A").reserved == 2)  // the old reservation stands
            try f.expectConsistent()

            let updated = try await f.orders.update(
                .with {
                    $0.id = order.id
                    $0.version = 1
                    $0.lines = [
                        .with {
                            $0.sku = "SKU-A"
                            $0.quantity = 5
                        },
                        .with {
                            $0.sku = "SKU-B"
                            $0.quantity = 1
                        },
                    ]
                    $0.shippingAddress = address()
                }, actor: "t"
            ).order!
            try f.expectConsistent()
            #expect(updated.version == 2)
            #expect(updated.status == .pendingPayment)
            #expect(updated.flags.isEmpty)
            #expect(updated.totals?.totalMinor == 5250)
            #expect(try f.stock("SKU-A").reserved == 5)
            #expect(try f.stock("SKU-B").reserved == 1)

            _ = try await f.pay(order.id, 100)
            let paid = await domainError {
                _ = try await f.orders.update(
                    .with {
                        $0.id = order.id
                        $0.version = 3
                        $0.notes = "late"
                    }, actor: "t")
            }
            #expect(paid?.reason == "ORDER_NOT_EDITABLE")
        }
    }

    @Test("shipments consume reservations: partial → PARTIALLY_SHIPPED, the rest → SHIPPED; tracking → DELIVERED")
    func shipAndDeliver() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 3, eastA: 5, mainB: 5)
            let order = try await f.create([("SKU-A", 6), ("SKU-B", 2)])
            let unpaid = await domainError {
                _ = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            }
            #expect(unpaid?.kind == .failedPrecondition)
            #expect(unpaid?.message.contains("PENDING_PAYMENT") == true)
            _ = try await f.pay(order.id, order.totals!.totalMinor)

            let first = try await f.orders.ship(
                .with {
                    $0.orderID = order.id
                    $0.lines = [
                        .with {
                            $0.lineIndex = 0
                            $0.quantity = 4
                        }
                    ]
                    $0.carrier = "DHL"
                    $0.trackingNumber = "JD0001"
                }, actor: "wms")
            try f.expectConsistent()
            #expect(first.order?.status == .partiallyShipped)
            #expect(first.shipment?.id.hasPrefix("shp_") == true)
            #expect(first.order?.lines[0].shippedQuantity == 4)
            // 3 from MAIN then 1 from EAST, in allocation order.
            #expect(try f.stock("SKU-A", in: "MAIN").onHand == 0)
            #expect(try f.stock("SKU-A", in: "EAST").onHand == 4)
            #expect(try f.stock("SKU-A").reserved == 2)

            let over = await domainError {
                _ = try await f.orders.ship(
                    .with {
                        $0.orderID = order.id
                        $0.lines = [
                            .with {
                                $0.lineIndex = 0
                                $0.quantity = 3
                            }
                        ]
                    }, actor: "wms")
            }
            #expect(over?.reason == "OVERSHIPMENT")

            let rest = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            try f.expectConsistent()
            #expect(rest.order?.status == .shipped)
            #expect(rest.shipment?.lines.map(\.quantity) == [2, 2])
            #expect(try f.stock("SKU-A").reserved == 0)
            #expect(try f.stock("SKU-A").onHand == 2)
            #expect(try f.stock("SKU-B").onHand == 3)

            let cancel = await domainError { _ = try await f.cancel(order.id) }
            #expect(cancel?.reason == "ALREADY_SHIPPED")
            #expect(cancel?.message.contains("SHIPPED") == true)

            let firstID = first.shipment!.id
            let secondID = rest.shipment!.id
            let exception = try await f.orders.track(
                .with {
                    $0.orderID = order.id
                    $0.shipmentID = secondID
                    $0.kind = .exception
                    $0.detail = "address not found"
                },
                actor: "carrier")
            #expect(exception.order?.flags == [.deliveryException])
            #expect(try f.orders.list(.with { $0.flag = .deliveryException }).orders.count == 1)
            let one = try await f.orders.track(
                .with {
                    $0.orderID = order.id
                    $0.shipmentID = firstID
                    $0.kind = .delivered
                }, actor: "carrier")
            #expect(one.order?.status == .shipped)
            let both = try await f.orders.track(
                .with {
                    $0.orderID = order.id
                    $0.shipmentID = secondID
                    $0.kind = .delivered
                }, actor: "carrier")
            #expect(both.order?.status == .delivered)
            let missing = await domainError {
                _ = try await f.orders.track(
                    .with {
                        $0.orderID = order.id
                        $0.shipmentID = "shp_NOPE"
                        $0.kind = .inTransit
                    }, actor: "carrier")
            }
            #expect(missing?.kind == .notFound)
            let history = try f.orders.history(.with { $0.id = order.id })
            #expect(
                history.entries.map(\.action) == [
                    "created", "payment_recorded", "partially_shipped", "shipped", "delivery_exception",
                    "shipment_delivered", "delivered",
                ])
        }
    }

    @Test("refunds: partial and full, never more than paid, in the order currency")
    func refunds() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1)])
            _ = try await f.pay(order.id, 1000)
            let cancelled = try await f.cancel(order.id)
            #expect(cancelled.order?.totals?.refundDueMinor == 1000)
            func refund(_ amount: Int64, _ currency: String = "USD") async throws -> Oms_V1_Order {
                try await f.orders.refund(
                    .with {
                        $0.orderID = order.id
                        $0.amount = .with {
                            $0.currencyCode = currency
                            $0.amountMinor = amount
                        }
                    },
                    actor: "finance"
                ).order!
            }
            let partial = try await refund(400)
            #expect(partial.totals?.refundedMinor == 400)
            #expect(partial.totals?.refundDueMinor == 600)
            let tooMuch = await domainError { _ = try await refund(601) }
            #expect(tooMuch?.reason == "REFUND_EXCEEDS_PAID")
            let wrong = await domainError { _ = try await refund(1, "EUR") }
            #expect(wrong?.kind == .invalidArgument)
            let full = try await refund(600)
            #expect(full.totals?.refundedMinor == 1000)
            #expect(full.totals?.refundDueMinor == 0)
        }
    }
}

@Suite("Returns, completion and loyalty points")
struct OrderAfterSalesTests {
    static let day: Int64 = 86_400_000

    /// A paid, shipped and delivered order of 2 × SKU-A and 1 × SKU-B (2250).
    func delivered(_ f: OrderFixture) async throws -> Oms_V1_Order {
        let order = try await f.create([("SKU-A", 2), ("SKU-B", 1)])
        _ = try await f.pay(order.id, 2250)
        let shipment = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms").shipment!
        let done = try await f.orders.track(
            .with {
                $0.orderID = order.id
                $0.shipmentID = shipment.id
                $0.kind = .delivered
            }, actor: "carrier")
        #expect(done.order?.status == .delivered)
        return done.order!
    }

    @Test("delivered orders complete after 7 days and the customer earns points")
    func autoComplete() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await delivered(f)
            f.clock.advance(millis: 7 * Self.day - 1)
            _ = try await f.orders.fireDueTimers()
            #expect(try f.orders.order(id: order.id).status == .delivered)
            f.clock.advance(millis: 1)
            #expect(try await f.orders.fireDueTimers() == 1)
            let completed = try f.orders.order(id: order.id)
            #expect(completed.status == .completed)
            #expect(try f.customers.customer(id: "C1").points == 22)  // 2250 minor units → 22 points
            #expect(try f.orders.history(.with { $0.id = order.id }).entries.last?.detail.contains("22 points") == true)
        }
    }

    @Test("points move the customer up a tier")
    func tiers() async throws {
        var policy = OrderPolicy()
        policy.tiers = [("gold", 1_000), ("silver", 20)]
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup()
            _ = try await delivered(f)
            f.clock.advance(millis: 7 * Self.day)
            _ = try await f.orders.fireDueTimers()
            let customer = try f.customers.customer(id: "C1")
            #expect(customer.points == 22)
            #expect(customer.tier == "silver")
        }
    }

    @Test("one rating (1-5) per delivered order, summed on the customer")
    func ratings() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let open = try await f.create([("SKU-A", 1)])
            let early = await domainError {
                _ = try await f.orders.rate(
                    .with {
                        $0.orderID = open.id
                        $0.rating = 5
                    }, actor: "c")
            }
            #expect(early?.reason == "NOT_DELIVERED")
            let order = try await delivered(f)
            let bad = await domainError {
                _ = try await f.orders.rate(
                    .with {
                        $0.orderID = order.id
                        $0.rating = 6
                    }, actor: "c")
            }
            #expect(bad?.violations.first?.field == "rating")
            let rated = try await f.orders.rate(
                .with {
                    $0.orderID = order.id
                    $0.rating = 4
                    $0.comment = "good"
                }, actor: "c")
            #expect(rated.order?.feedback?.rating == 4)
            let again = await domainError {
                _ = try await f.orders.rate(
                    .with {
                        $0.orderID = order.id
                        $0.rating = 1
                    }, actor: "c")
            }
            #expect(again?.reason == "ALREADY_RATED")
            let customer = try f.customers.customer(id: "C1")
            #expect((customer.ratingsCount, customer.ratingsSum) == (1, 4))
            // An upsert keeps the server-maintained summary.
            _ = try await f.customers.upsert(
                .with {
                    $0.customer = .with {
                        $0.id = "C1"
                        $0.name = "Ada L"
                    }
                }, actor: "t")
            #expect(try f.customers.customer(id: "C1").ratingsCount == 1)
        }
    }

    @Test("return → restock with a ledger entry → RETURNED; refund in full → REFUNDED")
    func returnAndRefund() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await delivered(f)
            #expect(try f.stock("SKU-A").onHand == 8)
            let early = await domainError {
                _ = try await f.orders.createReturn(.with { $0.orderID = order.id }, actor: "t")
            }
            #expect(early?.kind == .invalidArgument)  // a reason is required
            let rma = try await f.orders.createReturn(
                .with {
                    $0.orderID = order.id
                    $0.reason = "broken"
                    $0.lines = [
                        .with {
                            $0.lineIndex = 0
                            $0.quantity = 2
                        }
                    ]
                },
                actor: "support")
            #expect(rma.rma?.id.hasPrefix("rma_") == true)
            #expect(rma.order?.status == .delivered)
            let tooMany = await domainError {
                _ = try await f.orders.createReturn(
                    .with {
                        $0.orderID = order.id
                        $0.reason = "x"
                        $0.lines = [
                            .with {
                                $0.lineIndex = 0
                                $0.quantity = 1
                            }
                        ]
                    },
                    actor: "support")
            }
            #expect(tooMany?.reason == "RETURN_EXCEEDS_SHIPPED")
            let received = try await f.orders.receiveReturn(
                .with {
                    $0.orderID = order.id
                    $0.returnID = rma.rma!.id
                    $0.warehouseCode = "EAST"
                }, actor: "wms")
            try f.expectConsistent()
            #expect(received.order?.status == .returned)
            #expect(received.order?.lines[0].returnedQuantity == 2)
            #expect(try f.stock("SKU-A", in: "EAST").onHand == 2)
            let twice = await domainError {
                _ = try await f.orders.receiveReturn(
                    .with {
                        $0.orderID = order.id
                        $0.returnID = rma.rma!.id
                        $0.warehouseCode = "EAST"
                    }, actor: "wms")
            }
            #expect(twice?.reason == "RETURN_RECEIVED")

            let scrapRMA = try await f.orders.createReturn(
                .with {
                    $0.orderID = order.id
                    $0.reason = "dented"
                }, actor: "s")
            #expect(scrapRMA.rma?.lines.map(\.sku) == ["SKU-B"])
            _ = try await f.orders.receiveReturn(
                .with {
                    $0.orderID = order.id
                    $0.returnID = scrapRMA.rma!.id
                    $0.scrap = true
                }, actor: "wms")
            #expect(try f.stock("SKU-B").onHand == 9)

            let partial = try await f.orders.refund(
                .with {
                    $0.orderID = order.id
                    $0.amount = .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 2000
                    }
                }, actor: "fin")
            #expect(partial.order?.status == .returned)
            let full = try await f.orders.refund(
                .with {
                    $0.orderID = order.id
                    $0.amount = .with {
                        $0.currencyCode = "USD"
                        $0.amountMinor = 250
                    }
                }, actor: "fin")
            #expect(full.order?.status == .refunded)
            // A returned order never auto-completes.
            f.clock.advance(millis: 8 * Self.day)
            _ = try await f.orders.fireDueTimers()
            #expect(try f.orders.order(id: order.id).status == .refunded)
        }
    }
}

@Suite("Invoices and shipping labels")
struct OrderDocumentTests {
    @Test("invoices are numbered in one sequence when paid in full and carry lines, tax and totals")
    func invoices() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let first = try await f.create([("SKU-A", 2)]) { $0.lines[0].taxRateBps = 1900 }
            let notYet = await domainError { _ = try f.orders.invoice(.with { $0.orderID = first.id }) }
            #expect(notYet?.reason == "NOT_INVOICED")
            _ = try await f.pay(first.id, 1000)
            #expect(try f.orders.order(id: first.id).invoiceNumber.isEmpty)
            _ = try await f.pay(first.id, 1380)
            let second = try await f.create([("SKU-B", 1)])
            _ = try await f.pay(second.id, 250)
            let invoice = try f.orders.invoice(.with { $0.orderID = first.id })
            #expect(invoice.number == "INV-000001")
            #expect(try f.orders.invoice(.with { $0.orderID = second.id }).number == "INV-000002")
            #expect(invoice.lines.map(\.taxMinor) == [380])
            #expect(invoice.lines.first?.description_p == "Product SKU-A")
            #expect(invoice.totals?.totalMinor == 2380)
            #expect(invoice.billTo?.city == "London")
        }
    }

    @Test("shipping labels: one parcel per warehouse with weights, before and after shipping")
    func labels() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 2, eastA: 2)
            try await f.product("SKU-A", price: 1000, weightGrams: 350)
            let order = try await f.create([("SKU-A", 3)])
            let label = try f.orders.shippingLabel(.with { $0.orderID = order.id })
            #expect(label.parcels.map(\.warehouseCode) == ["MAIN", "EAST"])
            #expect(label.parcels.map { $0.lines.map(\.quantity) } == [[2], [1]])
            #expect(label.parcels.map(\.weightGrams) == [700, 350])
            #expect(label.totalWeightGrams == 1050)
            #expect(label.shipTo?.line1 == "1 Main St")
            _ = try await f.pay(order.id, 3000)
            let shipped = try await f.orders.ship(
                .with {
                    $0.orderID = order.id
                    $0.carrier = "DHL"
                }, actor: "wms")
            let shipmentLabel = try f.orders.shippingLabel(
                .with {
                    $0.orderID = order.id
                    $0.shipmentID = shipped.shipment!.id
                })
            #expect(shipmentLabel.carrier == "DHL")
            #expect(shipmentLabel.parcels.first?.lines.first?.quantity == 3)
            let held = try await f.create([("SKU-A", 1)], customer: "UNKNOWN", withAddress: false)
            let noAddress = await domainError { _ = try f.orders.shippingLabel(.with { $0.orderID = held.id }) }
            #expect(noAddress?.reason == "ADDRESS_MISSING")
        }
    }
}
