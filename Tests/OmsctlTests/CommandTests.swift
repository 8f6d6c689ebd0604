import Foundation
import Testing

extension Daemon {
    /// `--address` and `--token` for this daemon.
    var flags: [String] { ["--address", address, "--token", token] }
}

@Suite("omsctl commands")
struct CommandTests {
    @Test("health prints SERVING and exits 0; an unknown service exits 5")
    func health() async throws {
        try await withDaemon { omsd, omsctl in
            let plain = try await omsctl.run(["health", "--address", omsd.address])
            #expect(plain.status == 0, "stderr: \(plain.stderr)")
            #expect(plain.stdout == "SERVING\n")

            let json = try await omsctl.run(["health", "--address", omsd.address, "-o", "json"])
            #expect(json.status == 0)
            let object = try parseJSON(json.stdout) as? [String: Any]
            #expect(object?["status"] as? String == "SERVING")

            let unknown = try await omsctl.run(["health", "--address", omsd.address, "--service", "no.such.Service"])
            #expect(unknown.status == 5)
            #expect(unknown.stdout == "SERVICE_UNKNOWN\n")
        }
    }

    @Test("products upsert -o json prints the stored product; a second upsert is version 2")
    func upsertJSON() async throws {
        try await withDaemon { omsd, omsctl in
            let first = try await omsctl.run(
                [
                    "products", "upsert", "--sku", "MUG-350", "--name", "Blue mug 350 ml", "--price", "8.99",
                    "--currency", "EUR", "-o", "json",
                ] + omsd.flags)
            #expect(first.status == 0, "stderr: \(first.stderr)")
            let object = try #require(try parseJSON(first.stdout) as? [String: Any])
            #expect(object["created"] as? Bool == true)
            let product = try #require(object["product"] as? [String: Any])
            #expect(product["sku"] as? String == "MUG-350")
            #expect(product["name"] as? String == "Blue mug 350 ml")
            let price = try #require(product["unitPrice"] as? [String: Any])
            #expect((price["amountMinor"] as? NSNumber)?.int64Value == 899)
            #expect(price["currencyCode"] as? String == "EUR")
            #expect((product["version"] as? NSNumber)?.int64Value == 1)
            #expect(product["status"] as? String == "PRODUCT_STATUS_ACTIVE")  // proto3 JSON enum name

            let second = try await omsctl.run(
                [
                    "products", "upsert", "--sku", "MUG-350", "--name", "Blue mug 350 ml", "--price", "9.49",
                    "--currency", "EUR", "-o", "json",
                ] + omsd.flags)
            #expect(second.status == 0, "stderr: \(second.stderr)")
            let again = try #require(try parseJSON(second.stdout) as? [String: Any])
            #expect(again["created"] as? Bool == false)
            let updated = try #require(again["product"] as? [String: Any])
            #expect((updated["version"] as? NSNumber)?.int64Value == 2)
            #expect(((updated["unitPrice"] as? [String: Any])?["amountMinor"] as? NSNumber)?.int64Value == 949)
        }
    }

    @Test("products get -o csv is a header and one row, quoted where needed")
    func getCSV() async throws {
        try await withDaemon { omsd, omsctl in
            let description = "Holds 350 ml, \"dishwasher safe\""
            let upsert = try await omsctl.run(
                [
                    "products", "upsert", "--sku", "MUG-350", "--name", "Blue mug", "--price", "8.99", "--currency",
                    "EUR",
                    "--description", description, "--attribute", "color=blue",
                ] + omsd.flags)
            #expect(upsert.status == 0, "stderr: \(upsert.stderr)")

            let get = try await omsctl.run(["products", "get", "MUG-350", "-o", "csv"] + omsd.flags)
            #expect(get.status == 0, "stderr: \(get.stderr)")
            let rows = CSV.parse(get.stdout)
            try #require(rows.count == 2, "expected a header and one row:\n\(get.stdout)")
            let header = rows[0]
            #expect(header.first == "sku")
            #expect(rows[1].count == header.count)
            let row = Dictionary(uniqueKeysWithValues: zip(header, rows[1]))
            #expect(row["sku"] == "MUG-350")
            #expect(row["name"] == "Blue mug")
            #expect(row["description"] == description)
            #expect(row["currencyCode"] == "EUR")
            #expect(row["amountMinor"] == "899")
            #expect(row["price"] == "8.99")
            #expect(row["version"] == "1")
            #expect(row["attributes"].flatMap { try? parseJSON($0) as? [String: String] } == ["color": "blue"])
        }
    }

    @Test("products list -o json lists every product in SKU order; --page-size pages")
    func listJSON() async throws {
        try await withDaemon { omsd, omsctl in
            let skus = ["TEA-2", "MUG-1", "TEA-1", "MUG-2"]
            for sku in skus {
                let upsert = try await omsctl.run(
                    [
                        "products", "upsert", "--sku", sku, "--name", "Item \(sku)", "--price", "1.50", "--currency",
                        "USD",
                    ]
                        + omsd.flags)
                #expect(upsert.status == 0, "stderr: \(upsert.stderr)")
            }
            let list = try await omsctl.run(["products", "list", "-o", "json"] + omsd.flags)
            #expect(list.status == 0, "stderr: \(list.stderr)")
            let items = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(items.compactMap { $0["sku"] as? String } == skus.sorted())
            #expect(items.allSatisfy { ($0["version"] as? NSNumber)?.int64Value == 1 })

            let teas = try await omsctl.run(["products", "list", "--prefix", "TEA-", "-o", "json"] + omsd.flags)
            let teaItems = try #require(try parseJSON(teas.stdout) as? [[String: Any]])
            #expect(teaItems.compactMap { $0["sku"] as? String } == ["TEA-1", "TEA-2"])

            let page = try await omsctl.run(["products", "list", "--page-size", "3", "-o", "json"] + omsd.flags)
            #expect(page.status == 0)
            #expect((try parseJSON(page.stdout) as? [Any])?.count == 3)
            #expect(page.stderr.contains("--page-token"))

            let all = try await omsctl.run(
                ["products", "list", "--page-size", "3", "--all", "-o", "json"] + omsd.flags)
            #expect((try parseJSON(all.stdout) as? [Any])?.count == 4)
            #expect(all.stderr.isEmpty)
        }
    }

    @Test("admin ping and admin info answer with the token")
    func admin() async throws {
        try await withDaemon { omsd, omsctl in
            let ping = try await omsctl.run(["admin", "ping", "--payload", "hello"] + omsd.flags)
            #expect(ping.status == 0, "stderr: \(ping.stderr)")
            #expect(ping.stdout.hasPrefix("pong from \(omsd.address)"))
            #expect(ping.stdout.contains("payload echoed"))

            // The same GetStock twice: composed once, then answered from the reply cache.
            for _ in 0..<2 {
                let stock = try await omsctl.run(["stock", "get", "CACHED-SKU"] + omsd.flags)
                #expect(stock.status == 0, "stderr: \(stock.stderr)")
            }

            let info = try await omsctl.run(["admin", "info", "-o", "json"] + omsd.flags)
            #expect(info.status == 0, "stderr: \(info.stderr)")
            let object = try #require(try parseJSON(info.stdout) as? [String: Any])
            #expect(object["listenAddress"] as? String == omsd.address)
            #expect(object["dataDir"] as? String == omsd.dataDirectory)
            let memory = try #require(object["memory"] as? [String: Any])
            let number = { (key: String) in (memory[key] as? NSNumber)?.uint64Value ?? 0 }
            #expect(number("residentBytes") > 10 << 20)
            #expect(number("blockCacheCapacityBytes") >= 16 << 20)
            #expect(number("blockCacheBytes") <= number("blockCacheCapacityBytes"))
            #expect(number("memtableBytes") > 0)
            #expect(number("heapInUseBytes") > 0)
            #expect(number("heapHeldBytes") >= number("heapInUseBytes"))
            let cache = try #require(object["stockReplyCache"] as? [String: Any])
            let cached = { (key: String) in (cache[key] as? NSNumber)?.uint64Value ?? 0 }
            #expect(cached("hits") == 1 && cached("misses") == 1, "\(cache)")
            #expect(cached("entries") == 1 && cached("bytes") > 0)
            #expect(cached("capacityBytes") == 4 << 20)

            let table = try await omsctl.run(["admin", "info"] + omsd.flags)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            #expect(table.stdout.contains("resident memory"))
            let capacity = number("blockCacheCapacityBytes") >> 20
            #expect(table.stdout.contains("MiB of \(capacity).0 MiB ("), "\(table.stdout)")
            #expect(table.stdout.contains("1 hits, 1 misses (50.00 % hits)"), "\(table.stdout)")
        }
    }
}
