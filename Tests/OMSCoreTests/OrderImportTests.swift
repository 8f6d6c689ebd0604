import OMSCore
import OMSProto
import Testing

@Suite("ImportOrders: bulk entry through the CreateOrder logic")
struct OrderImportTests {
    /// Five rows: three good ones, one invalid (quantity 0), one short of stock.
    static func rows() -> [Oms_V1_CreateOrderRequest] {
        func row(
            _ sku: String, _ quantity: Int64, requestID: String = "", ref: String = ""
        ) -> Oms_V1_CreateOrderRequest {
            .with {
                $0.requestID = requestID
                $0.order = .with {
                    $0.customerID = "C1"
                    $0.channel = "web"
                    $0.currencyCode = "USD"
                    $0.externalRef = ref
                    $0.lines = [
                        .with {
                            $0.sku = sku
                            $0.quantity = quantity
                        }
                    ]
                    $0.shippingAddress = address()
                }
            }
        }
        return [
            row("SKU-A", 2, requestID: "imp-0", ref: "ERP-0"),
            row("SKU-A", 0, requestID: "imp-1"),
            row("SKU-B", 3, ref: "ERP-2"),
            row("SKU-A", 100, requestID: "imp-3"),
            row("SKU-B", 1, requestID: "imp-4"),
        ]
    }

    static func stream(_ rows: [Oms_V1_CreateOrderRequest]) -> AsyncStream<Oms_V1_CreateOrderRequest> {
        AsyncStream { continuation in
            for row in rows { continuation.yield(row) }
            continuation.finish()
        }
    }

    @Test("imported orders equal what CreateOrder produces; bad rows are reported by index, the others applied")
    func equalsCreateOrder() async throws {
        let imported = try OrderFixture()
        defer { imported.close() }
        let created = try OrderFixture()
        defer { created.close() }
        try await imported.standardSetup()
        try await created.standardSetup()

        // Chunks of two: rows 0-1, 2-3 and 4 go to the writer in three chunks.
        let report = try await OrderImport(orders: imported.orders, chunkSize: 2)
            .run(Self.stream(Self.rows()), actor: "test")
        var createErrors: [Int: DomainError] = [:]
        var createdIDs: [String] = []
        for (index, row) in Self.rows().enumerated() {
            do {
                createdIDs.append(try await created.orders.create(row, actor: "test").order!.id)
            } catch let error as DomainError {
                createErrors[index] = error
            }
        }

        #expect(report.received == 5)
        #expect(report.created == 3)
        #expect(report.failed == 2)
        #expect(report.failures.map(\.index) == [1, 3])
        #expect(report.failures.map(\.requestID) == ["imp-1", "imp-3"])
        #expect(report.failures.map { ($0.error as? DomainError)?.kind } == [.invalidArgument, .failedPrecondition])
        #expect((report.failures[1].error as? DomainError)?.reason == "INSUFFICIENT_STOCK")
        #expect(report.failures.map { $0.error as? DomainError } == [createErrors[1], createErrors[3]])
        #expect(report.firstOrderID == createdIDs.first)
        #expect(report.lastOrderID == createdIDs.last)

        // Same orders, stock, events, history and audit as one CreateOrder per row.
        let importedOrders = try imported.orders.list(.init()).orders
        #expect(importedOrders.count == 3)
        #expect(importedOrders == (try created.orders.list(.init()).orders))
        for sku in ["SKU-A", "SKU-B"] {
            #expect(try imported.stock(sku) == created.stock(sku))
        }
        #expect(
            try imported.store.events.events(after: 0, limit: 1000)
                == created.store.events.events(after: 0, limit: 1000))
        for order in importedOrders {
            #expect(
                try imported.orders.history(.with { $0.id = order.id })
                    == created.orders.history(.with { $0.id = order.id }))
        }
        let importedAudit = try AuditLog.records(
            in: imported.store.database, families: imported.store.families, fromMillis: 0, limit: 1000)
        let createdAudit = try AuditLog.records(
            in: created.store.database, families: created.store.families, fromMillis: 0, limit: 1000)
        #expect(importedAudit == createdAudit)
        try imported.expectConsistent()
    }

    @Test("re-sending rows with request_ids replays them: no order is created twice")
    func resendIsIdempotent() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let rows = Self.rows().filter { !$0.requestID.isEmpty }
            let first = try await OrderImport(orders: f.orders).run(Self.stream(rows), actor: "test")
            let second = try await OrderImport(orders: f.orders).run(Self.stream(rows), actor: "test")
            #expect((first.created, first.failed) == (2, 2))
            #expect((second.created, second.failed) == (2, 2))
            #expect(second.firstOrderID == first.firstOrderID)
            #expect(second.lastOrderID == first.lastOrderID)
            #expect(try f.orders.list(.init()).orders.count == 2)
            #expect(try f.stock("SKU-A").reserved == 2)
            try f.expectConsistent()
        }
    }

    /// 2026-03-10T12:00Z, the import's "now"; the historical orders were placed days before.
    static let importedAt: Int64 = 1_773_144_000_000
    static let dayMillis: Int64 = 86_400_000

    static func placed(
        _ sku: String, at millis: Int64, channel: String = "web", requestID: String = ""
    )
        -> Oms_V1_CreateOrderRequest
    {
        .with {
            $0.requestID = requestID
            $0.order = .with {
                $0.customerID = "C1"
                $0.channel = channel
                $0.currencyCode = "USD"
                $0.createdAtMillis = millis
                $0.lines = [
                    .with {
                        $0.sku = sku
                        $0.quantity = 1
                    }
                ]
                $0.shippingAddress = address()
            }
        }
    }

    @Test("order.created_at_millis is the imported order's placement time: created_at and its SalesReport day")
    func historicalPlacementTime() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            f.clock.set(millis: Self.importedAt)
            let march1 = Self.importedAt - 9 * Self.dayMillis - 2 * 3_600_000  // 2026-03-01T10:00Z
            let march5 = Self.importedAt - 5 * Self.dayMillis  // 2026-03-05T12:00Z
            let rows = [
                Self.placed("SKU-A", at: march1), Self.placed("SKU-B", at: march5, channel: "phone"),
                Self.placed("SKU-A", at: 0),
            ]
            let report = try await OrderImport(orders: f.orders).run(Self.stream(rows), actor: "test")
            #expect((report.created, report.failed) == (3, 0))
            let orders = try f.orders.list(.init()).orders.sorted { $0.createdAtMillis < $1.createdAtMillis }
            #expect(orders.map(\.createdAtMillis) == [march1, march5, Self.importedAt])
            #expect(orders.allSatisfy { $0.updatedAtMillis == Self.importedAt })

            let sales = try Reports(store: f.store).sales(
                .with {
                    $0.range = .with {
                        $0.fromDate = "2026-02-28"
                        $0.toDate = "2026-03-10"
                        $0.timeZone = "UTC"
                    }
                    $0.period = .day
                    $0.dimension = .channel
                })
            #expect(
                sales.rows.map { [$0.periodStart, $0.key, String($0.orders), String($0.revenueMinor)] } == [
                    ["2026-03-01", "web", "1", "1000"], ["2026-03-05", "phone", "1", "250"],
                    ["2026-03-10", "web", "1", "1000"],
                ])
            try f.expectConsistent()

            // CreateOrder ignores the field: its orders are placed now.
            let created = try await f.orders.create(Self.placed("SKU-B", at: march1), actor: "test").order!
            #expect(created.createdAtMillis == Self.importedAt)
        }
    }

    @Test("a placement time in the future or negative fails the row with INVALID_ARGUMENT naming the field")
    func futurePlacementTimeRejected() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            f.clock.set(millis: Self.importedAt)
            let rows = [
                Self.placed("SKU-A", at: Self.importedAt + 60_000), Self.placed("SKU-A", at: -5),
                Self.placed("SKU-A", at: Self.importedAt),
            ]
            let report = try await OrderImport(orders: f.orders).run(Self.stream(rows), actor: "test")
            #expect((report.created, report.failed) == (1, 2))
            #expect(report.failures.map(\.index) == [0, 1])
            for failure in report.failures {
                let error = failure.error as? DomainError
                #expect(error?.kind == .invalidArgument)
                #expect(error?.violations.map(\.field) == ["order.created_at_millis"])
            }
            #expect(try f.stock("SKU-A").reserved == 1)
            try f.expectConsistent()
        }
    }

    @Test("the payment deadline of an imported unpaid order counts from the import, not from its placement")
    func paymentDeadlineFromImport() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            f.clock.set(millis: Self.importedAt)
            let longAgo = Self.importedAt - 30 * Self.dayMillis
            let report = try await OrderImport(orders: f.orders).run(
                Self.stream([Self.placed("SKU-A", at: longAgo)]), actor: "test")
            #expect(report.created == 1)
            let deadline = f.orders.policy.paymentDeadlineMillis
            var order = try f.orders.order(id: report.firstOrderID)
            #expect(order.status == .pendingPayment)
            #expect(order.createdAtMillis == longAgo)
            #expect(order.paymentDueAtMillis == Self.importedAt + deadline)

            // Already past a deadline counted from its placement: still open.
            #expect(try await f.orders.fireDueTimers() == 0)
            f.clock.set(millis: Self.importedAt + deadline - 1)
            #expect(try await f.orders.fireDueTimers() == 0)
            #expect(try f.orders.order(id: report.firstOrderID).status == .pendingPayment)
            f.clock.set(millis: Self.importedAt + deadline)
            #expect(try await f.orders.fireDueTimers() == 1)
            order = try f.orders.order(id: report.firstOrderID)
            #expect(order.status == .cancelled)
            #expect(try f.stock("SKU-A").reserved == 0)
            try f.expectConsistent()
        }
    }

    @Test("an empty stream imports nothing")
    func empty() async throws {
        try await withOrderFixture { f in
            let report = try await OrderImport(orders: f.orders).run(Self.stream([]), actor: "test")
            #expect((report.received, report.created, report.failed) == (0, 0, 0))
        }
    }
}
