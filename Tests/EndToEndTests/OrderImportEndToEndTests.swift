import OMSCore
import OMSProto
import RPC
import Testing

@Suite("ImportOrders end to end")
struct OrderImportEndToEndTests {
    @Test("a streamed import creates the orders CreateOrder would, reports the bad row by index, applies the rest")
    func importOrders() async throws {
        try await withDaemon { omsd in
            try await stockUp(omsd, sku: "MUG", units: 2_000)
            // 1,200 rows (more than one chunk); row 7 is short of stock, row 900 invalid.
            let rows = (0..<1_200).map { index -> Oms_V1_CreateOrderRequest in
                var row = fixedFieldsOrder(sku: "MUG", quantity: 1, requestID: "imp-\(index)")
                if index == 7 { row.order!.lines[0].quantity = 5_000 }
                if index == 900 { row.order!.currencyCode = "usd" }
                return row
            }
            let stream = AsyncStream<Oms_V1_CreateOrderRequest> { continuation in
                for row in rows { continuation.yield(row) }
                continuation.finish()
            }
            let summary = try await omsd.client.clientStreaming(OrderRPC.importOrders, requests: stream)
            #expect(summary.received == 1_200)
            #expect(summary.created == 1_198)
            #expect(summary.failed == 2)
            #expect(summary.failures.map(\.index) == [7, 900])
            #expect(summary.failures.map(\.requestID) == ["imp-7", "imp-900"])
            #expect(
                summary.failures.map(\.code) == [
                    RPCError.Code.failedPrecondition.rawValue, RPCError.Code.invalidArgument.rawValue,
                ])
            #expect(summary.failures[0].reason == "INSUFFICIENT_STOCK")
            #expect(summary.failures[1].fields == ["order.currency_code"])

            let stock = try await omsd.client.unary(InventoryRPC.getStock, .with { $0.sku = "MUG" })
            #expect((stock.onHand, stock.reserved) == (2_000, 1_198))
            try expectStockInvariants(omsd)

            // The first imported order is what CreateOrder answers for the same request (a replay).
            let first = try await omsd.client.unary(OrderRPC.getOrder, .with { $0.id = summary.firstOrderID })
            let replayed = try await omsd.client.unary(OrderRPC.createOrder, rows[0])
            #expect(first.order == replayed.order)
            #expect(first.order?.status == .onHold)
            #expect(first.order?.flags.contains(.incomplete) == true)
            let last = try await omsd.client.unary(OrderRPC.getOrder, .with { $0.id = summary.lastOrderID })
            #expect(last.order?.lines.first?.reservations.first?.quantity == 1)

            // The order a fresh CreateOrder makes has the same shape as an imported one.
            let fresh = try await omsd.client.unary(
                OrderRPC.createOrder, fixedFieldsOrder(sku: "MUG", quantity: 1, requestID: "after-import"))
            var comparable = try #require(fresh.order)
            var imported = try #require(last.order)
            comparable.id = ""
            imported.id = ""
            comparable.lines[0].reservations[0].reason = ""
            imported.lines[0].reservations[0].reason = ""
            comparable.createdAtMillis = 0
            imported.createdAtMillis = 0
            comparable.updatedAtMillis = 0
            imported.updatedAtMillis = 0
            comparable.paymentDueAtMillis = 0
            imported.paymentDueAtMillis = 0
            // Both name the order before them as their possible duplicate.
            #expect(comparable.holdReasons.count == imported.holdReasons.count)
            comparable.holdReasons = []
            imported.holdReasons = []
            #expect(comparable == imported)

            // Created events for every imported order, in stream order.
            let events = try omsd.daemon.store.events.events(after: 0, limit: 5_000).filter {
                $0.type == "order.created"
            }
            #expect(events.count == 1_199)
            #expect(events.first?.order.id == summary.firstOrderID)
            #expect(events[1_197].order.id == summary.lastOrderID)
        }
    }

    @Test("ImportOrders needs the admin token")
    func needsToken() async throws {
        try await withDaemon { omsd in
            let client = omsd.anonymousClient()
            let error = await rpcError {
                _ = try await client.clientStreaming(
                    OrderRPC.importOrders, requests: AsyncStream<Oms_V1_CreateOrderRequest> { $0.finish() })
            }
            await client.close()
            #expect(error?.code == .unauthenticated)
        }
    }
}
