import Storage
import Testing

/// `WriteTransaction.scan` merges the group's writes over the store page by
/// page: with small limits, where the group deleted or replaced many of the
/// stored keys before the first live one, in both directions and resumed
/// after a key, it must give exactly what a model of the merged state gives.
@Suite struct GroupScanTests {
    @Test func smallPagesThroughManyDeletionsMatchTheModel() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            var stored: [String: String] = [:]
            for index in 0..<40 {
                let key = "k/\(String(100 + index))"
                try db.put(orders, bytes(key), bytes("stored\(index)"), sync: false)
                stored[key] = "stored\(index)"
            }
            let initial = stored
            let coordinator = WriteCoordinator(store: db)
            let pages = try await coordinator.perform { txn -> [String: [String]] in
                // Delete the first 25 stored keys, replace every third of the rest, add keys in between.
                var local = initial
                for index in 0..<25 {
                    txn.delete(orders, bytes("k/\(String(100 + index))"))
                    local["k/\(String(100 + index))"] = nil
                }
                for index in stride(from: 25, to: 40, by: 3) {
                    txn.put(orders, bytes("k/\(String(100 + index))"), bytes("written\(index)"))
                    local["k/\(String(100 + index))"] = "written\(index)"
                }
                for index in stride(from: 20, to: 40, by: 4) {
                    txn.put(orders, bytes("k/\(String(100 + index))a"), bytes("added\(index)"))
                    local["k/\(String(100 + index))a"] = "added\(index)"
                }
                var results: [String: [String]] = [
                    "model": local.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                ]
                for reverse in [false, true] {
                    for limit in [1, 2, 3, 7] {
                        var collected: [String] = []
                        var after: [UInt8]?
                        while true {
                            let page = try txn.scan(
                                orders, prefix: bytes("k/"), after: after, limit: limit, reverse: reverse)
                            #expect(page.count <= limit)
                            collected += page.map { "\(string($0.key)!)=\(string($0.value)!)" }
                            guard page.count == limit else { break }
                            after = page.last!.key
                        }
                        results["\(reverse ? "reverse" : "forward") \(limit)"] =
                            reverse ? collected.reversed() : collected
                    }
                }
                return results
            }
            coordinator.shutdown()
            let model = pages["model"]!
            #expect(model.count == 15 + 5)
            for (name, collected) in pages where name != "model" {
                #expect(collected == model, "\(name)")
            }
        }
    }
}
