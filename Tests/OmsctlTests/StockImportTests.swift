import Foundation
import Testing

/// `omsctl stock import` (BulkAdjustStock) and the other inventory commands,
/// running the real binary against an in-process omsd.
@Suite("omsctl stock import and inventory commands")
struct StockImportTests {
    @Test(
        "import: bad rows listed by line with code and field, good rows applied, exit 6, rows/s on stderr, no progress when piped"
    )
    func importWithFailures() async throws {
        try await withDaemon { omsd, omsctl in
            let made = try await omsctl.run(["warehouses", "create", "MAIN"] + omsd.flags)
            #expect(made.status == 0, "stderr: \(made.stderr)")
            let file = try omsctl.workspace.write(
                """
                sku,warehouse,delta,reason
                MUG-1,MAIN,10,receipt
                MUG-1,MAIN,0,zero
                MUG-2,NOPE,5,unknown warehouse
                "MUG-2",MAIN,7,"count, aisle 3"
                MUG-1,MAIN,abc,not a number
                MUG-1,MAIN,-20,too much
                MUG-3,MAIN
                """, to: "stock.csv")
            let result = try await omsctl.run(["stock", "import", file, "-o", "csv"] + omsd.flags)
            #expect(result.status == 6, "stdout: \(result.stdout) stderr: \(result.stderr)")
            let rows = CSV.parse(result.stdout)
            try #require(rows.count == 6, "a header and 5 failures:\n\(result.stdout)")
            #expect(rows[0] == ["line", "code", "field", "message"])
            #expect(rows.dropFirst().map { $0[0] } == ["3", "4", "6", "7", "8"])
            #expect(
                rows.dropFirst().map { $0[1] } == [
                    "INVALID_ARGUMENT", "FAILED_PRECONDITION", "INVALID_ARGUMENT", "FAILED_PRECONDITION",
                    "INVALID_ARGUMENT",
                ])
            #expect(rows.dropFirst().map { $0[2] } == ["delta", "warehouse_code", "delta", "", "line"])
            #expect(result.stderr.contains("2 of 7 rows applied, 5 failed"), "\(result.stderr)")
            #expect(result.stderr.contains("rows/s"))
            #expect(!result.stderr.contains("["), "no progress bar when not on a terminal: \(result.stderr)")

            let stock = try await omsctl.run(["stock", "get", "MUG-2", "-o", "json"] + omsd.flags)
            let level = try #require(try parseJSON(stock.stdout) as? [String: Any])
            #expect(jsonInt64(level["onHand"]) == 7)
            let reason = try await omsctl.run(
                ["stock", "movements", "--sku", "MUG-2", "-o", "json"] + omsd.flags)
            let moves = try #require(try parseJSON(reason.stdout) as? [[String: Any]])
            #expect(moves.map { $0["reason"] as? String } == ["count, aisle 3"])

            let clean = try omsctl.workspace.write("MUG-3,MAIN,1,ok\n", to: "clean.csv")
            let ok = try await omsctl.run(["stock", "import", clean] + omsd.flags)
            #expect(ok.status == 0 && ok.stdout.isEmpty, "stdout: \(ok.stdout) stderr: \(ok.stderr)")
        }
    }

    @Test("generate-csv then import 20,000 rows: exactly the 200 invalid lines are reported")
    func generatedImport() async throws {
        try await withDaemon { omsd, omsctl in
            _ = try await omsctl.run(["warehouses", "create", "BENCH"] + omsd.flags)
            let file = omsctl.workspace.path + "/bulk.csv"
            let generated = try await omsctl.run(
                ["stock", "generate-csv", file, "--rows", "20000", "--invalid-every", "100"])
            #expect(generated.status == 0, "stderr: \(generated.stderr)")
            let result = try await omsctl.run(["stock", "import", file, "-o", "json"] + omsd.flags)
            #expect(result.status == 6, "stderr: \(result.stderr)")
            let failures = try #require(try parseJSON(result.stdout) as? [[String: Any]])
            // Data row k is on line k + 1 (after the header).
            let lines: [Int64?] = failures.map { jsonInt64($0["line"]) }
            let expected: [Int64?] = (1...200).map { (k: Int) -> Int64? in Int64(k * 100 + 1) }
            #expect(lines == expected)
            #expect(result.stderr.contains("19800 of 20000 rows applied, 200 failed"), "\(result.stderr)")
        }
    }

    @Test("locations, receipts and valuation through omsctl")
    func purchaseOrderFlow() async throws {
        try await withDaemon { omsd, omsctl in
            try await omsd.seed([product("MUG-1", name: "Mug", price: 899, currency: "EUR")])
            _ = try await omsctl.run(["warehouses", "create", "MAIN"] + omsd.flags)
            let bin = try await omsctl.run(
                ["stock", "locations", "create", "MAIN", "A-01", "--zone", "A"] + omsd.flags)
            #expect(bin.status == 0, "stderr: \(bin.stderr)")
            let created = try await omsctl.run(
                [
                    "stock", "po", "create", "--supplier", "ACME", "--warehouse", "MAIN", "--currency", "EUR", "--line",
                    "MUG-1:10:250", "-o", "json",
                ] + omsd.flags)
            #expect(created.status == 0, "stderr: \(created.stderr)")
            let po = try #require(try parseJSON(created.stdout) as? [[String: Any]])
            let id = try #require(po.first?["id"] as? String)
            let received = try await omsctl.run(["stock", "po", "receive", id, "--line", "MUG-1:4@A-01"] + omsd.flags)
            #expect(received.status == 0, "stderr: \(received.stderr)")
            let over = try await omsctl.run(["stock", "po", "receive", id, "--line", "MUG-1:7"] + omsd.flags)
            #expect(over.status == 6 && over.stderr.contains("over-receipt"), "stderr: \(over.stderr)")
            let list = try await omsctl.run(["stock", "list", "--warehouse", "MAIN", "-o", "csv"] + omsd.flags)
            #expect(CSV.parse(list.stdout).dropFirst().map { $0 } == [["MUG-1", "MAIN", "A-01", "4"]])
            let valuation = try await omsctl.run(["stock", "valuation", "-o", "json"] + omsd.flags)
            let lines = try #require(try parseJSON(valuation.stdout) as? [[String: Any]])
            #expect(lines.map { jsonInt64($0["valueMinor"]) } == [1000])
        }
    }
}

@Suite("omsctl stock stocktake")
struct StockStocktakeCommandTests {
    @Test("start, count from a CSV (a bad line exits 6), variance, commit")
    func stocktake() async throws {
        try await withDaemon { omsd, omsctl in
            _ = try await omsctl.run(["warehouses", "create", "MAIN"] + omsd.flags)
            _ = try await omsctl.run(["stock", "adjust", "MUG-1", "--warehouse", "MAIN", "--delta", "5"] + omsd.flags)
            let started = try await omsctl.run(["stock", "stocktake", "start", "MAIN", "-o", "json"] + omsd.flags)
            #expect(started.status == 0, "stderr: \(started.stderr)")
            let lines = try #require(try parseJSON(started.stdout) as? [[String: Any]])
            let id = try #require(lines.first?["id"] as? String)
            let file = try omsctl.workspace.write("sku,location,counted\nMUG-1,,4\nMUG-1,,x\n", to: "counts.csv")
            let counted = try await omsctl.run(["stock", "stocktake", "count", id, file] + omsd.flags)
            #expect(counted.status == 6 && counted.stderr.contains("1 of 2 counts recorded"), "\(counted.stderr)")
            let variance = try await omsctl.run(["stock", "stocktake", "variance", id, "-o", "csv"] + omsd.flags)
            let rows = CSV.parse(variance.stdout)
            #expect(rows.count == 2 && rows[1][6] == "-1", "\(variance.stdout)")
            let committed = try await omsctl.run(["stock", "stocktake", "commit", id] + omsd.flags)
            #expect(committed.status == 0, "stderr: \(committed.stderr)")
            let stock = try await omsctl.run(["stock", "get", "MUG-1", "-o", "json"] + omsd.flags)
            let level = try #require(try parseJSON(stock.stdout) as? [String: Any])
            #expect(jsonInt64(level["onHand"]) == 4)
        }
    }
}
