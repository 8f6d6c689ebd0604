import OMSCore
import OMSProto
import Testing

@Suite("Orders with an injected clock")
struct OrderFlowTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    @Test("CreateOrder prices from the catalog, reserves stock atomically and records history, event and audit")
    func create() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 2), ("SKU-B", 4)], externalRef: "WEB-1")
            #expect(order.id.hasPrefix("ord_"))
            #expect(order.id.count == 22)
            #expect(order.status == .pendingPayment)
            #expect(order.version == 1)
            #expect(order.lines.map(\.unitPrice?.amountMinor) == [1000, 250])
            #expect(order.lines.map(\.priceSource) == ["catalog", "catalog"])
            #expect(order.totals?.totalMinor == 3000)
            #expect(order.lines.map { $0.reservations.map(\.warehouseCode) } == [["MAIN"], ["MAIN"]])
            #expect(order.lines[0].reservations[0].reason.contains("single warehouse"))
            #expect(order.paymentDueAtMillis == order.createdAtMillis + 3 * Self.day)
            #expect(try f.stock("SKU-A").reserved == 2)
            #expect(try f.stock("SKU-A").available == 8)
            #expect(try f.stock("SKU-B").reserved == 4)
            #expect(try f.orders.order(id: order.id) == order)
            let history = try f.orders.history(.with { $0.id = order.id })
            #expect(history.entries.map(\.action) == ["created"])
            #expect(history.entries[0].toStatus == .pendingPayment)
            let events = try f.store.events.events(after: 0, limit: 100)
            #expect(events.last?.type == "order.created")
            #expect(events.last?.order.id == order.id)
            #expect(history.entries[0].eventSequence == events.last?.sequence)
            let adjusted = events.filter { $0.type == "stock.adjusted" }
            #expect(adjusted.count == 2)
            if case .stock(let level)? = adjusted.first?.payload {
                #expect((level.sku, level.warehouseCode, level.onHand) == ("SKU-A", "MAIN", 10))
            } else {
                Issue.record("stock.adjusted without a stock payload")
            }
            #expect(events.contains { $0.type == "warehouse.created" && $0.warehouse.code == "EAST" })
            #expect(events.contains { $0.type == "customer.created" && $0.customer.id == "C1" })
            let audit = try AuditLog.records(
                in: f.store.database, families: f.store.families, fromMillis: 0, limit: 100)
            #expect(audit.last?.method == CreateOrder.method.path)
            #expect(audit.last?.resourceID == order.id)
        }
    }

    @Test("order ids sort by creation time")
    func idsSort() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            var ids: [String] = []
            for _ in 0..<5 {
                ids.append(try await f.create([("SKU-A", 1)]).id)
                f.clock.advance(millis: 1)
            }
            #expect(ids == ids.sorted())
            #expect(Set(ids).count == 5)
        }
    }

    @Test("not enough stock: FAILED_PRECONDITION naming the sku, and nothing changes")
    func insufficientStock() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 3, mainB: 1)
            let before = try f.store.events.events(after: 0, limit: 1000).count
            let error = await domainError { _ = try await f.create([("SKU-A", 2), ("SKU-B", 2)]) }
            #expect(error?.kind == .failedPrecondition)
            #expect(error?.reason == "INSUFFICIENT_STOCK")
            #expect(error?.message.contains("SKU-B") == true)
            #expect(try f.stock("SKU-A").reserved == 0)
            #expect(try f.stock("SKU-B").reserved == 0)
            #expect(try f.orders.list(.init()).orders.isEmpty)
            #expect(try f.store.events.events(after: 0, limit: 1000).count == before)
            try f.expectConsistent()
        }
    }

    @Test("a split order reserves from several warehouses by priority and says why")
    func splitReservation() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 3, eastA: 5)
            let order = try await f.create([("SKU-A", 6)])
            let reservations = order.lines[0].reservations
            #expect(reservations.map(\.warehouseCode) == ["MAIN", "EAST"])
            #expect(reservations.map(\.quantity) == [3, 3])
            #expect(reservations.allSatisfy { $0.reason.hasPrefix("split:") })
            #expect(try f.stock("SKU-A", in: "MAIN").available == 0)
            #expect(try f.stock("SKU-A", in: "EAST").available == 2)
            #expect(try f.stock("SKU-A").reserved == 6)
            #expect(try f.stock("SKU-A").warehouses.count == 2)
        }
    }

    @Test("only the fixed fields: created with stock reserved, flagged INCOMPLETE and on hold")
    func incomplete() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1)], customer: "UNKNOWN", withAddress: false)
            #expect(order.status == .onHold)
            #expect(order.heldFrom == .pendingPayment)
            #expect(order.flags == [.incomplete])
            #expect(order.holdReasons.count == 1)
            #expect(order.holdReasons.first?.contains("shipping address") == true)
            #expect(try f.stock("SKU-A").reserved == 1)
            let queue = try f.orders.list(.with { $0.flag = .incomplete })
            #expect(queue.orders.map(\.id) == [order.id])
            // A known customer's first address fills a missing one.
            let filled = try await f.create([("SKU-A", 1)], withAddress: false)
            #expect(filled.status == .pendingPayment)
            #expect(filled.shippingAddress?.city == "London")
            // Payment is accepted on hold and changes where it resumes.
            let paid = try await f.pay(order.id, 1000)
            #expect(paid.order?.status == .onHold)
            #expect(paid.order?.heldFrom == .paid)
        }
    }

    @Test("a line price from the request wins over the catalog; unknown skus need one")
    func linePrices() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            try await f.adjust("NOT-IN-CATALOG", in: "MAIN", by: 5)
            let order = try await f.create([("SKU-A", 1), ("NOT-IN-CATALOG", 2)]) { order in
                order.lines[0].unitPrice = .with {
                    $0.currencyCode = "USD"
                    $0.amountMinor = 777
                }
                order.lines[1].unitPrice = .with {
                    $0.currencyCode = "USD"
                    $0.amountMinor = 100
                }
                order.lines[1].taxRateBps = 1000
                order.shippingFeeMinor = 500
            }
            #expect(order.lines.map(\.priceSource) == ["request", "request"])
            let expectedTotal: Int64 = 777 + 200 + 20 + 500
            #expect(order.totals?.totalMinor == expectedTotal)
            let error = await domainError { _ = try await f.create([("NOT-IN-CATALOG", 1)]) }
            #expect(error?.reason == "PRODUCT_NOT_FOUND")
            let wrongCurrency = await domainError {
                _ = try await f.create([("SKU-A", 1)]) {
                    $0.lines[0].unitPrice = .with {
                        $0.currencyCode = "EUR"
                        $0.amountMinor = 1
                    }
                }
            }
            #expect(wrongCurrency?.kind == .invalidArgument)
            #expect(wrongCurrency?.violations.first?.field == "order.lines[0].unit_price.currency_code")
        }
    }

    @Test("request validation names every bad field")
    func validation() async throws {
        try await withOrderFixture { f in
            let error = await domainError {
                _ = try await f.orders.create(
                    .with {
                        $0.order = .with {
                            $0.currencyCode = "usd"
                            $0.lines = [
                                .with {
                                    $0.sku = "bad sku"
                                    $0.quantity = 0
                                }
                            ]
                        }
                    }, actor: "test")
            }
            #expect(error?.kind == .invalidArgument)
            #expect(
                Set(error?.violations.map(\.field) ?? []) == [
                    "order.currency_code", "order.lines[0].sku", "order.lines[0].quantity",
                ])
            let empty = await domainError {
                _ = try await f.orders.create(.with { $0.order = .with { $0.currencyCode = "USD" } }, actor: "t")
            }
            #expect(empty?.violations.map(\.field) == ["order.lines"])
        }
    }

    @Test("external_ref is unique per channel")
    func externalRef() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let first = try await f.create([("SKU-A", 1)], externalRef: "X-1", channel: "marketplace")
            let error = await domainError {
                _ = try await f.create([("SKU-A", 1)], externalRef: "X-1", channel: "marketplace")
            }
            #expect(error?.kind == .alreadyExists)
            #expect(error?.reason == "EXTERNAL_REF_EXISTS")
            #expect(error?.message.contains(first.id) == true)
            _ = try await f.create([("SKU-A", 1)], externalRef: "X-1", channel: "erp")
            #expect(try f.stock("SKU-A").reserved == 2)
        }
    }

    @Test("request_id: a retry replays the response, a different request is ALREADY_EXISTS")
    func idempotency() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let first = try await f.create([("SKU-A", 2)], requestID: "r-1")
            let again = try await f.create([("SKU-A", 2)], requestID: "r-1")
            #expect(first == again)
            #expect(try f.stock("SKU-A").reserved == 2)
            let conflict = await domainError { _ = try await f.create([("SKU-A", 3)], requestID: "r-1") }
            #expect(conflict?.kind == .alreadyExists)
            #expect(conflict?.reason == "REQUEST_ID_REUSED")
            let paid = try await f.pay(first.id, 500, requestID: "p-1")
            let paidAgain = try await f.pay(first.id, 500, requestID: "p-1")
            #expect(paid == paidAgain)
            #expect(try f.orders.order(id: first.id).totals?.paidMinor == 500)
            let cancelled = try await f.cancel(first.id, requestID: "c-1")
            #expect(try await f.cancel(first.id, requestID: "c-1") == cancelled)
        }
    }

    @Test("payments: partial sums, currency must match, over-payment refused, paid in full → PAID")
    func payments() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1)])
            let wrong = await domainError { _ = try await f.pay(order.id, 100, currency: "EUR") }
            #expect(wrong?.kind == .invalidArgument)
            #expect(wrong?.violations.first?.field == "amount.currency_code")
            let first = try await f.pay(order.id, 400)
            #expect(first.order?.status == .pendingPayment)
            #expect(first.outstandingMinor == 600)
            let over = await domainError { _ = try await f.pay(order.id, 601) }
            #expect(over?.kind == .failedPrecondition)
            #expect(over?.reason == "OVERPAYMENT")
            let second = try await f.pay(order.id, 600)
            #expect(second.order?.status == .paid)
            #expect(second.order?.totals?.paidMinor == 1000)
            #expect(second.order?.payments.count == 2)
            #expect(second.outstandingMinor == 0)
            let more = await domainError { _ = try await f.pay(order.id, 1) }
            #expect(more?.kind == .failedPrecondition)
            #expect(more?.message.contains("PAID") == true)
            #expect(try TimerQueue.pending(in: f.store).isEmpty)
            let missing = await domainError { _ = try await f.pay("ord_MISSING", 1) }
            #expect(missing?.kind == .notFound)
            let history = try f.orders.history(.with { $0.id = order.id })
            #expect(history.entries.map(\.action) == ["created", "payment_recorded", "payment_recorded"])
            #expect(history.entries.map(\.version) == [1, 2, 3])
            #expect(history.entries.last?.fromStatus == .pendingPayment)
            #expect(history.entries.last?.toStatus == .paid)
        }
    }

    @Test("cancel within 24 h is free and releases the stock")
    func cancelFree() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 4)])
            f.clock.advance(millis: 24 * Self.hour - 1)
            let response = try await f.cancel(order.id)
            #expect(response.order?.status == .cancelled)
            #expect(response.fee?.amountMinor == 0)
            #expect(response.fee?.currencyCode == "USD")
            #expect(response.feeRule.hasPrefix("free"))
            #expect(response.order?.lines[0].reservations.allSatisfy(\.released) == true)
            #expect(try f.stock("SKU-A").reserved == 0)
            #expect(try f.stock("SKU-A").available == 10)
            #expect(try TimerQueue.pending(in: f.store).isEmpty)
            let again = await domainError { _ = try await f.cancel(order.id) }
            #expect(again?.kind == .failedPrecondition)
            #expect(again?.message.contains("CANCELLED") == true)
        }
    }

    @Test("cancel after the window charges the fee; a paid order gets the rest back")
    func cancelWithFee() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1), ("SKU-B", 1)])  // 1250
            _ = try await f.pay(order.id, 1250)
            f.clock.advance(millis: 24 * Self.hour)
            let response = try await f.cancel(order.id)
            #expect(response.fee?.amountMinor == 63)  // 62.5 → 63, rounded half up
            #expect(response.feeRule.contains("5% of the total 1250"))
            #expect(response.order?.totals?.cancellationFeeMinor == 63)
            #expect(response.order?.totals?.refundDueMinor == 1187)
            #expect(try f.stock("SKU-A").reserved == 0)
        }
    }

    @Test("a fixed fee policy is applied as configured")
    func fixedFeePolicy() async throws {
        var policy = OrderPolicy()
        policy.freeCancellationWindowMillis = Self.hour
        policy.cancellationFee = .fixed(amountMinor: 200)
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1)])
            f.clock.advance(millis: 2 * Self.hour)
            let response = try await f.cancel(order.id)
            #expect(response.fee?.amountMinor == 200)
            #expect(response.feeRule.contains("fixed 200"))
        }
    }

    @Test("unpaid orders are cancelled at the payment deadline, releasing stock; paid ones are not")
    func paymentDeadline() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let unpaid = try await f.create([("SKU-A", 3)])
            let partly = try await f.create([("SKU-A", 1)], withAddress: false)  // on hold, partly paid
            _ = try await f.pay(partly.id, 100)
            let paid = try await f.create([("SKU-A", 2)])
            _ = try await f.pay(paid.id, 2000)
            #expect(try TimerQueue.pending(in: f.store).count == 2)

            f.clock.advance(millis: 3 * Self.day - 1)
            #expect(try await f.orders.fireDueTimers() == 0)
            #expect(try f.orders.order(id: unpaid.id).status == .pendingPayment)

            f.clock.advance(millis: 1)
            #expect(try await f.orders.fireDueTimers() == 2)
            try f.expectConsistent()
            let expired = try f.orders.order(id: unpaid.id)
            #expect(expired.status == .cancelled)
            #expect(expired.cancelReason == "payment deadline passed")
            let held = try f.orders.order(id: partly.id)
            #expect(held.status == .cancelled)
            #expect(held.totals?.refundDueMinor == 100)
            #expect(try f.orders.order(id: paid.id).status == .paid)
            #expect(try f.stock("SKU-A").reserved == 2)
            #expect(try TimerQueue.pending(in: f.store).isEmpty)
            #expect(try await f.orders.fireDueTimers() == 0)
            let history = try f.orders.history(.with { $0.id = unpaid.id })
            #expect(history.entries.last?.action == "expired")
            #expect(history.entries.last?.actor == "omsd")
            let events = try f.store.events.events(after: 0, limit: 1000)
            #expect(events.filter { $0.type == "order.expired" }.count == 2)
        }
    }

    @Test("the deadline is configurable")
    func configurableDeadline() async throws {
        var policy = OrderPolicy()
        policy.paymentDeadlineMillis = Self.hour
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup()
            let order = try await f.create([("SKU-A", 1)])
            #expect(order.paymentDueAtMillis == order.createdAtMillis + Self.hour)
            f.clock.advance(millis: Self.hour)
            #expect(try await f.orders.fireDueTimers() == 1)
            #expect(try f.orders.order(id: order.id).status == .cancelled)
        }
    }

    @Test("the deadline survives reopening the store")
    func deadlineAfterReopen() async throws {
        let fixture = try OrderFixture()
        defer { fixture.close() }
        try await fixture.standardSetup()
        let order = try await fixture.create([("SKU-A", 5)])
        fixture.store.close()
        let reopened = try OMSStore(path: fixture.directory + "/db", clock: fixture.clock)
        defer { reopened.close() }
        let orders = Orders(store: reopened)
        fixture.clock.advance(millis: 3 * Self.day)
        #expect(try await orders.fireDueTimers() == 1)
        #expect(try orders.order(id: order.id).status == .cancelled)
        #expect(try Inventory(store: reopened).stock(.with { $0.sku = "SKU-A" }).reserved == 0)
        #expect(try Inventory(store: reopened).invariantViolations() == [])
    }

    @Test("ListOrders filters by status, customer and channel from indexes, newest first, in pages")
    func list() async throws {
        var policy = OrderPolicy()
        policy.duplicateWindowMillis = 0  // the same lines again and again on purpose
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup(mainA: 100)
            var web: [String] = []
            for index in 0..<7 {
                let order = try await f.create([("SKU-A", 1)], channel: index % 2 == 0 ? "web" : "phone")
                if index % 2 == 0 { web.append(order.id) }
                f.clock.advance(millis: 10)
            }
            let other = try await f.create([("SKU-A", 1)], customer: "C2", channel: "phone", withAddress: false)
            _ = try await f.pay(web[0], 1000)

            let all = try f.orders.list(.init())
            #expect(all.orders.count == 8)
            #expect(all.orders.map(\.id) == all.orders.map(\.id).sorted(by: >))

            var seen: [String] = []
            var token = ""
            repeat {
                let page = try f.orders.list(
                    .with {
                        $0.channel = "web"
                        $0.pageSize = 2
                        $0.pageToken = token
                    })
                seen += page.orders.map(\.id)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(seen == web.reversed())

            #expect(try f.orders.list(.with { $0.status = .paid }).orders.map(\.id) == [web[0]])
            #expect(
                try f.orders.list(
                    .with {
                        $0.status = .pendingPayment
                        $0.channel = "web"
                    }
                ).orders.count == 3)
            #expect(try f.orders.list(.with { $0.customerID = "C2" }).orders.map(\.id) == [other.id])
            #expect(try f.orders.list(.with { $0.status = .onHold }).orders.map(\.id) == [other.id])
            #expect(try f.orders.list(.with { $0.status = .cancelled }).orders.isEmpty)
        }
    }

    @Test("ListOrders by created range (with and without an index) and by external_ref")
    func listRangesAndRefs() async throws {
        var policy = OrderPolicy()
        policy.duplicateWindowMillis = 0
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup(mainA: 100)
            var orders: [Oms_V1_Order] = []
            for index in 0..<6 {
                orders.append(try await f.create([("SKU-A", 1)], externalRef: "R-\(index)"))
                f.clock.advance(millis: 1_000)
            }
            let from = orders[1].createdAtMillis
            let to = orders[4].createdAtMillis
            let expected = orders[1..<4].map(\.id).reversed() as [String]
            #expect(
                try f.orders.list(
                    .with {
                        $0.createdFromMillis = from
                        $0.createdToMillis = to
                    }
                ).orders.map(\.id) == expected)
            let paged = try f.orders.list(
                .with {
                    $0.createdFromMillis = from
                    $0.createdToMillis = to
                    $0.pageSize = 2
                })
            #expect(paged.orders.count == 2)
            let rest = try f.orders.list(
                .with {
                    $0.createdFromMillis = from
                    $0.createdToMillis = to
                    $0.pageSize = 2
                    $0.pageToken = paged.nextPageToken
                })
            #expect((paged.orders + rest.orders).map(\.id) == expected)
            #expect(
                try f.orders.list(
                    .with {
                        $0.channel = "web"
                        $0.createdFromMillis = from
                        $0.createdToMillis = to
                    }
                ).orders.map(\.id)
                    == expected)
            #expect(
                try f.orders.list(.with { $0.createdFromMillis = orders[5].createdAtMillis }).orders.map(\.id) == [
                    orders[5].id
                ])
            #expect(
                try f.orders.list(
                    .with {
                        $0.channel = "web"
                        $0.externalRef = "R-3"
                    }
                ).orders.map(\.id) == [orders[3].id])
            #expect(
                try f.orders.list(
                    .with {
                        $0.channel = "erp"
                        $0.externalRef = "R-3"
                    }
                ).orders.isEmpty)
            let noChannel = await domainError { _ = try f.orders.list(.with { $0.externalRef = "R-3" }) }
            #expect(noChannel?.violations.first?.field == "external_ref")
        }
    }

    @Test("AdjustStock writes the ledger and never goes below zero or below reserved")
    func adjustStock() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 5)
            _ = try await f.create([("SKU-A", 4)])
            let belowReserved = await domainError { try await f.adjust("SKU-A", in: "MAIN", by: -2) }
            #expect(belowReserved?.reason == "STOCK_BELOW_RESERVED")
            let belowZero = await domainError { try await f.adjust("SKU-B", in: "EAST", by: -1) }
            #expect(belowZero?.reason == "STOCK_BELOW_ZERO")
            let noWarehouse = await domainError { try await f.adjust("SKU-A", in: "NOWHERE", by: 1) }
            #expect(noWarehouse?.reason == "WAREHOUSE_NOT_FOUND")
            let moved = try await f.adjust("SKU-A", in: "MAIN", by: -1)
            #expect(moved.level?.onHand == 4)
            #expect(moved.level?.available == 0)
            #expect(moved.move?.kind == .adjustment)
            #expect(moved.move?.onHandDelta == -1)
            try f.expectConsistent()
            let exists = await domainError { try await f.warehouse("MAIN", priority: 9) }
            #expect(exists?.kind == .alreadyExists)
            #expect(try f.inventory.warehouses().map(\.code) == ["MAIN", "EAST"])
        }
    }

    @Test("customers: upsert with versions, generated ids, paging")
    func customers() async throws {
        try await withOrderFixture { f in
            let created = try await f.customers.upsert(.with { $0.customer = .with { $0.name = "Bob" } }, actor: "t")
            #expect(created.created)
            #expect(created.customer?.id.hasPrefix("cus_") == true)
            #expect(created.customer?.tier == "standard")
            let id = created.customer!.id
            let updated = try await f.customers.upsert(
                .with {
                    $0.customer = .with {
                        $0.id = id
                        $0.name = "Bob B"
                    }
                    $0.expectedVersion = 1
                }, actor: "t")
            #expect(updated.customer?.version == 2)
            let stale = await domainError {
                _ = try await f.customers.upsert(
                    .with {
                        $0.customer = .with {
                            $0.id = id
                            $0.name = "X"
                        }
                        $0.expectedVersion = 1
                    }, actor: "t")
            }
            #expect(stale?.kind == .aborted)
            let bad = await domainError {
                _ = try await f.customers.upsert(
                    .with {
                        $0.customer = .with {
                            $0.name = ""
                            $0.email = "nope"
                        }
                    }, actor: "t")
            }
            #expect(Set(bad?.violations.map(\.field) ?? []) == ["customer.name", "customer.email"])
            for index in 0..<5 {
                _ = try await f.customers.upsert(
                    .with {
                        $0.customer = .with {
                            $0.id = "K\(index)"
                            $0.name = "K"
                        }
                    }, actor: "t")
            }
            let page = try f.customers.list(.with { $0.pageSize = 4 })
            #expect(page.customers.count == 4)
            let rest = try f.customers.list(
                .with {
                    $0.pageSize = 4
                    $0.pageToken = page.nextPageToken
                })
            #expect(rest.customers.count == 2)
            #expect(rest.nextPageToken.isEmpty)
            #expect(try f.customers.customer(id: "K3").name == "K")
            let missing = await domainError { _ = try f.customers.customer(id: "nobody") }
            #expect(missing?.kind == .notFound)
        }
    }
}
