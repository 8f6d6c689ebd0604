import Foundation
import Testing

/// `omsctl warehouses ...` and `omsctl stock ...` against a real omsd.
@Suite("omsctl warehouses and stock")
struct StockCommandTests {
    @Test("warehouses create then list: JSON in priority order, CSV with a header; a duplicate code exits 6")
    func warehouses() async throws {
        try await withDaemon { omsd, omsctl in
            let main = try await omsctl.run(
                ["warehouses", "create", "MAIN", "--name", "Main DC", "--priority", "1", "-o", "json"] + omsd.flags)
            #expect(main.status == 0, "stderr: \(main.stderr)")
            let created = try #require(try parseJSON(main.stdout) as? [[String: Any]])
            #expect(created.first?["code"] as? String == "MAIN")
            #expect(created.first?["name"] as? String == "Main DC")

            let east = try await omsctl.run(
                ["warehouses", "create", "EAST", "--name", "East, overflow", "--priority", "0"] + omsd.flags)
            #expect(east.status == 0, "stderr: \(east.stderr)")

            let list = try await omsctl.run(["warehouses", "list", "-o", "json"] + omsd.flags)
            #expect(list.status == 0, "stderr: \(list.stderr)")
            let warehouses = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(warehouses.map { $0["code"] as? String } == ["EAST", "MAIN"])
            #expect(warehouses.map { ($0["priority"] as? NSNumber)?.intValue } == [0, 1])

            let csv = try await omsctl.run(["warehouses", "list", "-o", "csv"] + omsd.flags)
            #expect(csv.status == 0, "stderr: \(csv.stderr)")
            let rows = CSV.parse(csv.stdout)
            try #require(rows.count == 3, "expected a header and two rows:\n\(csv.stdout)")
            #expect(rows[0] == ["code", "name", "priority", "createdAtMillis"])
            #expect(Array(rows[1].prefix(3)) == ["EAST", "East, overflow", "0"])

            let again = try await omsctl.run(["warehouses", "create", "MAIN"] + omsd.flags)
            #expect(again.status == 6, "stdout: \(again.stdout) stderr: \(again.stderr)")
        }
    }

    @Test("stock adjust and get -o json: on_hand, reserved and available, per warehouse and summed")
    func adjustAndGet() async throws {
        try await withDaemon { omsd, omsctl in
            for code in ["MAIN", "EAST"] {
                let made = try await omsctl.run(["warehouses", "create", code] + omsd.flags)
                #expect(made.status == 0, "stderr: \(made.stderr)")
            }
            let receipt = try await omsctl.run(
                [
                    "stock", "adjust", "MUG-350", "--warehouse", "MAIN", "--delta", "100", "--reason", "receipt PO-17",
                    "-o", "json",
                ] + omsd.flags)
            #expect(receipt.status == 0, "stderr: \(receipt.stderr)")
            let level = try #require(try parseJSON(receipt.stdout) as? [String: Any])
            #expect(level["warehouseCode"] as? String == "MAIN")
            #expect(jsonInt64(level["onHand"]) == 100)
            #expect(jsonInt64(level["reserved"]) == 0)
            #expect(jsonInt64(level["available"]) == 100)

            let scrap = try await omsctl.run(
                ["stock", "adjust", "MUG-350", "--warehouse", "MAIN", "--delta=-3", "--reason", "scrap"] + omsd.flags)
            #expect(scrap.status == 0, "stderr: \(scrap.stderr)")
            #expect(scrap.stderr.contains("-3 MUG-350 in MAIN"), "stderr: \(scrap.stderr)")
            let east = try await omsctl.run(
                ["stock", "adjust", "MUG-350", "--warehouse", "EAST", "--delta", "5"] + omsd.flags)
            #expect(east.status == 0, "stderr: \(east.stderr)")

            let all = try await omsctl.run(["stock", "get", "MUG-350", "-o", "json"] + omsd.flags)
            #expect(all.status == 0, "stderr: \(all.stderr)")
            let total = try #require(try parseJSON(all.stdout) as? [String: Any])
            #expect(jsonInt64(total["onHand"]) == 102)
            #expect(jsonInt64(total["reserved"]) == 0)
            #expect(jsonInt64(total["available"]) == 102)
            let perWarehouse = try #require(total["warehouses"] as? [[String: Any]])
            let byCode = Dictionary(
                uniqueKeysWithValues: perWarehouse.map {
                    ($0["warehouseCode"] as? String ?? "", jsonInt64($0["onHand"]))
                })
            #expect(byCode == ["MAIN": 97, "EAST": 5])

            let one = try await omsctl.run(
                ["stock", "get", "MUG-350", "--warehouse", "EAST", "-o", "json"] + omsd.flags)
            #expect(one.status == 0, "stderr: \(one.stderr)")
            let eastLevel = try #require(try parseJSON(one.stdout) as? [String: Any])
            #expect(jsonInt64(eastLevel["onHand"]) == 5)
            #expect(jsonInt64(eastLevel["available"]) == 5)

            // Below zero is refused, and --delta 0 is a usage error.
            let tooMuch = try await omsctl.run(
                ["stock", "adjust", "MUG-350", "--warehouse", "EAST", "--delta=-6"] + omsd.flags)
            #expect(tooMuch.status == 6, "stdout: \(tooMuch.stdout) stderr: \(tooMuch.stderr)")
            let zero = try await omsctl.run(
                ["stock", "adjust", "MUG-350", "--warehouse", "EAST", "--delta", "0"] + omsd.flags)
            #expect(zero.status == 2)
            #expect(zero.stderr.contains("--delta must not be zero"), "stderr: \(zero.stderr)")
        }
    }

    @Test("stock adjust into a warehouse that does not exist exits 6")
    func unknownWarehouse() async throws {
        try await withDaemon { omsd, omsctl in
            let adjust = try await omsctl.run(
                ["stock", "adjust", "MUG-350", "--warehouse", "NOPE", "--delta", "1"] + omsd.flags)
            #expect(adjust.status == 6, "stdout: \(adjust.stdout) stderr: \(adjust.stderr)")
            #expect(adjust.stderr.contains("NOPE"), "stderr: \(adjust.stderr)")
        }
    }
}

/// A JSON number as Int64 (nil when it is not a number).
func jsonInt64(_ value: Any?) -> Int64? {
    (value as? NSNumber)?.int64Value
}
