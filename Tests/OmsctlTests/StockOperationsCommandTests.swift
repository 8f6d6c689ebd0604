import Foundation
import Testing

/// `omsctl stock transfers / scrap / replenish / reconcile / analysis` against a real omsd.
@Suite("omsctl stock operations")
struct StockOperationsCommandTests {
    @Test("transfer and scrap need a second key to approve; replenish, reconcile and analysis print their figures")
    func operations() async throws {
        try await withDaemon { omsd, omsctl in
            try await omsd.seed([product("MUG-1", name: "Mug", price: 899, currency: "EUR")])
            for code in ["MAIN", "EAST"] { _ = try await omsctl.run(["warehouses", "create", code] + omsd.flags) }
            _ = try await omsctl.run(["stock", "adjust", "MUG-1", "--warehouse", "MAIN", "--delta", "10"] + omsd.flags)
            let key = try await omsctl.run(["admin", "keys", "create", "approver"] + omsd.flags)
            #expect(key.status == 0, "stderr: \(key.stderr)")
            let approverToken = try #require(key.stdout.split(separator: "\n").last.map(String.init))
            let approver = ["--address", omsd.address, "--token", approverToken]

            let requested = try await omsctl.run(
                ["stock", "transfers", "request", "--from", "MAIN", "--to", "EAST", "--line", "MUG-1:4", "-o", "json"]
                    + omsd.flags)
            #expect(requested.status == 0, "stderr: \(requested.stderr)")
            let transfer = try #require(try parseJSON(requested.stdout) as? [[String: Any]])
            let id = try #require(transfer.first?["id"] as? String)
            let own = try await omsctl.run(["stock", "transfers", "approve", id] + omsd.flags)
            #expect(own.status == 4, "self-approval is PERMISSION_DENIED: \(own.stderr)")
            #expect(try await omsctl.run(["stock", "transfers", "approve", id] + approver).status == 0)
            #expect(try await omsctl.run(["stock", "transfers", "ship", id] + omsd.flags).status == 0)
            let received = try await omsctl.run(
                ["stock", "transfers", "receive", id, "--line", "MUG-1:3", "--complete"] + omsd.flags)
            #expect(received.status == 0 && received.stderr.contains("missing 1"), "stderr: \(received.stderr)")

            let scrap = try await omsctl.run(
                [
                    "stock", "scrap", "request", "--warehouse", "MAIN", "--reason", "damaged", "--line", "MUG-1:1",
                    "-o",
                    "json",
                ] + omsd.flags)
            let scrapID = try #require((try parseJSON(scrap.stdout) as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await omsctl.run(["stock", "scrap", "approve", scrapID] + approver).status == 0)
            let stock = try await omsctl.run(["stock", "get", "MUG-1", "-o", "json"] + omsd.flags)
            let level = try #require(try parseJSON(stock.stdout) as? [String: Any])
            #expect(jsonInt64(level["onHand"]) == 8)  // 10 - 4 shipped + 3 received - 1 scrapped

            let policy = try await omsctl.run(
                [
                    "stock", "replenish", "policy", "MUG-1", "--warehouse", "MAIN", "--reorder-point", "10",
                    "--supplier",
                    "ACME", "--unit-cost", "300", "--currency", "EUR",
                ] + omsd.flags)
            #expect(policy.status == 0, "stderr: \(policy.stderr)")
            // MAIN holds 10 - 4 - 1 = 5 (EAST the other 3): target 10 - position 5 = 5.
            let suggest = try await omsctl.run(["stock", "replenish", "suggest", "-o", "csv"] + omsd.flags)
            let rows = CSV.parse(suggest.stdout)
            #expect(rows.count == 2 && rows[1][0] == "MUG-1" && rows[1][10] == "5", "\(suggest.stdout)")
            let ordered = try await omsctl.run(["stock", "replenish", "order", "-o", "csv"] + omsd.flags)
            #expect(CSV.parse(ordered.stdout).dropFirst().map { $0[5] } == ["5"], "\(ordered.stdout)")

            let reconcile = try await omsctl.run(["stock", "reconcile"] + omsd.flags)
            #expect(
                reconcile.status == 0 && reconcile.stderr.contains("0 orphans, 0 mismatches"), "\(reconcile.stderr)")
            let analysis = try await omsctl.run(["stock", "analysis", "--days", "30", "-o", "json"] + omsd.flags)
            #expect(analysis.status == 0, "stderr: \(analysis.stderr)")
            let lines = try #require(try parseJSON(analysis.stdout) as? [[String: Any]])
            #expect(lines.map { $0["warehouseCode"] as? String } == ["EAST", "MAIN"])
        }
    }
}
