import OMSCore
import OMSProto
import Testing

@Suite("Inventory bulk adjustments")
struct InventoryBulkTests {
    func rows(
        _ specs: [(sku: String, warehouse: String, delta: Int64)], requestID: String = ""
    )
        -> AsyncStream<Oms_V1_BulkAdjustStockRow>
    {
        AsyncStream { continuation in
            for (index, spec) in specs.enumerated() {
                continuation.yield(
                    .with {
                        $0.sku = spec.sku
                        $0.warehouseCode = spec.warehouse
                        $0.delta = spec.delta
                        $0.reason = "import"
                        if index == 0 { $0.requestID = requestID }
                    })
            }
            continuation.finish()
        }
    }

    @Test("bad rows are reported with their row number, code and field; the good rows are applied")
    func perRowResults() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.warehouse("MAIN", priority: 1)
            let response = try await f.inventory.bulkAdjustStock(
                rows([
                    ("SKU-A", "MAIN", 5), ("SKU-A", "MAIN", 0), ("bad sku", "MAIN", 1), ("SKU-A", "NOPE", 1),
                    ("SKU-A", "MAIN", -9), ("SKU-A", "MAIN", -2),
                ]), actor: "importer")
            try f.expectConsistent()
            #expect(response.rowsReceived == 6 && response.rowsApplied == 2 && response.rowsFailed == 4)
            #expect(response.failures.map(\.rowNumber) == [2, 3, 4, 5])
            #expect(
                response.failures.map(\.code) == [
                    "INVALID_ARGUMENT", "INVALID_ARGUMENT", "FAILED_PRECONDITION", "FAILED_PRECONDITION",
                ])
            #expect(response.failures.map(\.field) == ["delta", "sku", "warehouse_code", ""])
            #expect(try f.stock("SKU-A").onHand == 3)
            #expect(try f.movements { $0.sku = "SKU-A" }.map(\.actor) == ["importer", "importer"])
        }
    }

    @Test("5,000 rows with 1% invalid: exactly the 50 invalid rows are reported, across chunks")
    func manyRows() async throws {
        try await withOrderFixture { f in
            try await f.warehouse("MAIN", priority: 1)
            let specs: [(sku: String, warehouse: String, delta: Int64)] = (1...5000).map { index in
                index % 100 == 0 ? ("SKU-\(index % 7)", "MAIN", 0) : ("SKU-\(index % 7)", "MAIN", 1)
            }
            let response = try await f.inventory.bulkAdjustStock(rows(specs), actor: "importer")
            #expect(response.rowsApplied == 4950 && response.rowsFailed == 50)
            #expect(response.failures.map(\.rowNumber) == (1...50).map { UInt64($0 * 100) })
            let total = try (0..<7).reduce(Int64(0)) { $0 + (try f.stock("SKU-\($1)").onHand) }
            #expect(total == 4950)
            try f.expectConsistent()
        }
    }

    @Test("a retried stream with the same request_id applies each row once and reports the same outcome")
    func idempotentRetry() async throws {
        try await withOrderFixture { f in
            try await f.warehouse("MAIN", priority: 1)
            let specs: [(sku: String, warehouse: String, delta: Int64)] = [("SKU-A", "MAIN", 4), ("SKU-A", "MAIN", 0)]
            let first = try await f.inventory.bulkAdjustStock(rows(specs, requestID: "imp-1"), actor: "importer")
            let again = try await f.inventory.bulkAdjustStock(rows(specs, requestID: "imp-1"), actor: "importer")
            #expect(first == again && first.rowsApplied == 1)
            #expect(try f.stock("SKU-A").onHand == 4)
            await #expect(throws: DomainError.self) {
                _ = try await f.inventory.bulkAdjustStock(rows(specs, requestID: "has space"), actor: "importer")
            }
        }
    }
}
