import OMSClient
import OMSProto
import Testing

@Suite("SDK importOrders")
struct OrderImportSDKTests {
    static func rows(_ count: Int) -> AsyncStream<Oms_V1_CreateOrderRequest> {
        AsyncStream { continuation in
            for index in 0..<count {
                continuation.yield(
                    .with {
                        $0.requestID = "sdk-import-\(index)"
                        $0.order = .with {
                            $0.customerID = "C-1"
                            $0.currencyCode = "USD"
                            // Not in the catalog and no unit_price on row 1: reported, the rest applied.
                            $0.lines = [
                                .with {
                                    $0.sku = "IMPORT-1"
                                    $0.quantity = 1
                                    if index != 1 {
                                        $0.unitPrice = .with {
                                            $0.currencyCode = "USD"
                                            $0.amountMinor = 100
                                        }
                                    }
                                    if index == 1 { $0.sku = "NO-SUCH-SKU" }
                                }
                            ]
                        }
                    })
            }
            continuation.finish()
        }
    }

    @Test("an admin key imports a stream; a service key gets PERMISSION_DENIED")
    func importOrders() async throws {
        try await withDaemonAndClient { omsd, admin in
            _ = try await admin.call(
                Oms_V1_InventoryService.Method.createWarehouse,
                .with {
                    $0.warehouse = .with {
                        $0.code = "MAIN"
                        $0.priority = 1
                    }
                })
            _ = try await admin.call(
                Oms_V1_InventoryService.Method.adjustStock,
                .with {
                    $0.warehouseCode = "MAIN"
                    $0.sku = "IMPORT-1"
                    $0.delta = 10
                    $0.reason = "receipt"
                })
            let summary = try await admin.orders.importOrders(Self.rows(4))
            #expect((summary.received, summary.created, summary.failed) == (4, 3, 1))
            #expect(summary.failures.map(\.index) == [1])
            #expect(summary.failures.first?.reason == "PRODUCT_NOT_FOUND")
            let last = try await admin.orders.get(id: summary.lastOrderID)
            #expect(last.lines.first?.reservations.first?.quantity == 1)

            let (_, token) = try await admin.admin.createApiKey(name: "erp-sync")
            let erp = try OMSClient(address: omsd.address, token: token)
            defer { Task { await erp.close() } }
            let denied = await omsError { _ = try await erp.orders.importOrders(Self.rows(1)) }
            #expect(denied?.code == .permissionDenied)
        }
    }
}
