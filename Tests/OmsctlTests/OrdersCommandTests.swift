import Foundation
import Testing

/// `omsctl orders ...` against a real omsd.
@Suite("omsctl orders")
struct OrdersCommandTests {
    @Test("orders create, get, pay, history and list -o json follow one order from creation to paid")
    func lifecycle() async throws {
        try await withDaemon { omsd, omsctl in
            try await setUpShop(omsd, omsctl)

            let create = try await omsctl.run(
                [
                    "orders", "create", "--customer", "C-1", "--channel", "web", "--currency", "USD", "--line",
                    "MUG-350:2", "--external-ref", "WEB-1001", "-o", "json",
                ] + omsd.flags)
            #expect(create.status == 0, "stderr: \(create.stderr)")
            let created = try #require(try parseJSON(create.stdout) as? [String: Any])
            let id = try #require(created["id"] as? String)
            #expect(id.hasPrefix("ord_"))
            #expect(created["status"] as? String == "ORDER_STATUS_PENDING_PAYMENT")
            #expect(jsonInt64(created["version"]) == 1)
            #expect((created["totals"] as? [String: Any]).flatMap { jsonInt64($0["totalMinor"]) } == 2500)
            let line = try #require((created["lines"] as? [[String: Any]])?.first)
            #expect(line["sku"] as? String == "MUG-350")
            let reservation = try #require((line["reservations"] as? [[String: Any]])?.first)
            #expect(reservation["warehouseCode"] as? String == "MAIN")
            #expect(jsonInt64(reservation["quantity"]) == 2)

            try await expectStock(omsd, omsctl, onHand: 10, reserved: 2, available: 8)

            let get = try await omsctl.run(["orders", "get", id, "-o", "json"] + omsd.flags)
            #expect(get.status == 0, "stderr: \(get.stderr)")
            let fetched = try #require(try parseJSON(get.stdout) as? [String: Any])
            #expect(fetched["id"] as? String == id)
            #expect(fetched["externalRef"] as? String == "WEB-1001")
            #expect(fetched["customerId"] as? String == "C-1")

            // A partial payment keeps it pending; the rest makes it paid.
            let part = try await omsctl.run(
                ["orders", "pay", id, "--amount", "10.00", "--currency", "USD", "-o", "json"] + omsd.flags)
            #expect(part.status == 0, "stderr: \(part.stderr)")
            let partly = try #require(try parseJSON(part.stdout) as? [String: Any])
            #expect(partly["status"] as? String == "ORDER_STATUS_PENDING_PAYMENT")
            #expect((partly["totals"] as? [String: Any]).flatMap { jsonInt64($0["paidMinor"]) } == 1000)

            let over = try await omsctl.run(
                ["orders", "pay", id, "--amount", "15.01", "--currency", "USD"] + omsd.flags)
            #expect(over.status == 6, "stdout: \(over.stdout) stderr: \(over.stderr)")

            let rest = try await omsctl.run(
                ["orders", "pay", id, "--amount", "15.00", "--currency", "USD", "--reference", "PSP-7", "-o", "json"]
                    + omsd.flags)
            #expect(rest.status == 0, "stderr: \(rest.stderr)")
            let paid = try #require(try parseJSON(rest.stdout) as? [String: Any])
            #expect(paid["status"] as? String == "ORDER_STATUS_PAID")
            #expect((paid["totals"] as? [String: Any]).flatMap { jsonInt64($0["paidMinor"]) } == 2500)
            #expect((paid["payments"] as? [[String: Any]])?.last?["reference"] as? String == "PSP-7")

            let history = try await omsctl.run(["orders", "history", id, "-o", "json"] + omsd.flags)
            #expect(history.status == 0, "stderr: \(history.stderr)")
            let entries = try #require(try parseJSON(history.stdout) as? [[String: Any]])
            #expect(entries.map { jsonInt64($0["version"]) } == [1, 2, 3])
            #expect(entries.allSatisfy { $0["orderId"] as? String == id })
            #expect(entries.first?["action"] as? String == "created")
            #expect(entries.first?["toStatus"] as? String == "ORDER_STATUS_PENDING_PAYMENT")
            #expect(entries.last?["toStatus"] as? String == "ORDER_STATUS_PAID")

            let list = try await omsctl.run(["orders", "list", "--status", "paid", "-o", "json"] + omsd.flags)
            #expect(list.status == 0, "stderr: \(list.stderr)")
            let orders = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(orders.map { $0["id"] as? String } == [id])
            let none = try await omsctl.run(
                ["orders", "list", "--status", "pending_payment", "-o", "json"] + omsd.flags)
            #expect(none.status == 0, "stderr: \(none.stderr)")
            #expect((try parseJSON(none.stdout) as? [Any])?.isEmpty == true)
        }
    }

    @Test("orders cancel -o json states the fee and the rule, releases the stock, and a second cancel exits 6")
    func cancel() async throws {
        try await withDaemon { omsd, omsctl in
            try await setUpShop(omsd, omsctl)
            let id = try await createOrder(omsd, omsctl, quantity: 3)
            try await expectStock(omsd, omsctl, onHand: 10, reserved: 3, available: 7)

            let cancel = try await omsctl.run(
                ["orders", "cancel", id, "--reason", "customer asked", "-o", "json"] + omsd.flags)
            #expect(cancel.status == 0, "stderr: \(cancel.stderr)")
            let result = try #require(try parseJSON(cancel.stdout) as? [String: Any])
            let fee = try #require(result["fee"] as? [String: Any])
            #expect(jsonInt64(fee["amountMinor"]) == 0)
            let rule = try #require(result["feeRule"] as? String)
            #expect(rule.hasPrefix("free:"), "rule: \(rule)")
            #expect(rule.contains("24 h"), "rule: \(rule)")
            let order = try #require(result["order"] as? [String: Any])
            #expect(order["status"] as? String == "ORDER_STATUS_CANCELLED")
            #expect(order["cancelReason"] as? String == "customer asked")
            try await expectStock(omsd, omsctl, onHand: 10, reserved: 0, available: 10)

            let again = try await omsctl.run(["orders", "cancel", id] + omsd.flags)
            #expect(again.status == 6, "stdout: \(again.stdout) stderr: \(again.stderr)")
            #expect(again.stderr.lowercased().contains("cancelled"), "stderr: \(again.stderr)")

            let history = try await omsctl.run(["orders", "history", id, "-o", "json"] + omsd.flags)
            let entries = try #require(try parseJSON(history.stdout) as? [[String: Any]])
            #expect(entries.last?["action"] as? String == "cancelled")
            #expect((entries.last?["detail"] as? String)?.contains("customer asked") == true)
        }
    }

    @Test("orders create exits 6 naming the sku when stock is short, and reserves nothing")
    func shortStock() async throws {
        try await withDaemon { omsd, omsctl in
            try await setUpShop(omsd, omsctl)
            try await omsd.seed([product("TEA-1", name: "Tea", price: 400, currency: "USD")])
            let stocked = try await omsctl.run(
                ["stock", "adjust", "TEA-1", "--warehouse", "MAIN", "--delta", "50"] + omsd.flags)
            #expect(stocked.status == 0, "stderr: \(stocked.stderr)")

            let short = try await omsctl.run(
                [
                    "orders", "create", "--customer", "C-1", "--currency", "USD", "--line", "TEA-1:1", "--line",
                    "MUG-350:11",
                ] + omsd.flags)
            #expect(short.status == 6, "stdout: \(short.stdout) stderr: \(short.stderr)")
            #expect(short.stderr.contains("MUG-350"), "stderr: \(short.stderr)")
            #expect(!short.stderr.contains("TEA-1"), "only the short sku is named; stderr: \(short.stderr)")
            #expect(short.stdout.isEmpty)

            try await expectStock(omsd, omsctl, onHand: 10, reserved: 0, available: 10)
            let tea = try await omsctl.run(["stock", "get", "TEA-1", "-o", "json"] + omsd.flags)
            #expect((try parseJSON(tea.stdout) as? [String: Any]).flatMap { jsonInt64($0["reserved"]) } == 0)
            let list = try await omsctl.run(["orders", "list", "-o", "json"] + omsd.flags)
            #expect((try parseJSON(list.stdout) as? [Any])?.isEmpty == true, "stdout: \(list.stdout)")
        }
    }

    @Test("a missing order exits 5 for get, pay, cancel and history")
    func missingOrder() async throws {
        try await withDaemon { omsd, omsctl in
            let missing = "ord_00000000000000000000"
            let commands: [[String]] = [
                ["orders", "get", missing],
                ["orders", "pay", missing, "--amount", "1.00", "--currency", "USD"],
                ["orders", "cancel", missing],
                ["orders", "history", missing],
            ]
            for command in commands {
                let result = try await omsctl.run(command + omsd.flags)
                #expect(result.status == 5, "\(command): stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stderr.contains(missing), "\(command): stderr: \(result.stderr)")
            }
        }
    }

    @Test("orders list -o csv: a header and one parsed row per order, newest first")
    func listCSV() async throws {
        try await withDaemon { omsd, omsctl in
            try await setUpShop(omsd, omsctl)
            let first = try await createOrder(omsd, omsctl, quantity: 1, externalRef: "WEB-1, \"gift\"")
            let second = try await createOrder(omsd, omsctl, quantity: 2, channel: "phone")

            let csv = try await omsctl.run(["orders", "list", "--all", "-o", "csv"] + omsd.flags)
            #expect(csv.status == 0, "stderr: \(csv.stderr)")
            let rows = CSV.parse(csv.stdout)
            try #require(rows.count == 3, "expected a header and two rows:\n\(csv.stdout)")
            let header = rows[0]
            #expect(
                Array(header.prefix(8)) == [
                    "id", "status", "customerId", "channel", "currencyCode", "totalMinor", "paidMinor", "lines",
                ])
            let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
            #expect(records.map { $0["id"] } == [second, first])
            #expect(records.map { $0["channel"] } == ["phone", "web"])
            #expect(records.map { $0["totalMinor"] } == ["2500", "1250"])
            #expect(records.map { $0["lines"] } == ["MUG-350:2", "MUG-350:1"])
            #expect(records.allSatisfy { $0["status"] == "ORDER_STATUS_PENDING_PAYMENT" })
            #expect(records.last?["externalRef"] == "WEB-1, \"gift\"")

            let phone = try await omsctl.run(["orders", "list", "--channel", "phone", "-o", "csv"] + omsd.flags)
            #expect(phone.status == 0, "stderr: \(phone.stderr)")
            #expect(CSV.parse(phone.stdout).dropFirst().map(\.first) == [second])
        }
    }
}

/// A warehouse MAIN with 10 × MUG-350 (12.50 USD) and a customer C-1 with a
/// complete address, made through omsctl.
func setUpShop(_ omsd: some DaemonAddress, _ omsctl: Omsctl) async throws {
    let steps: [[String]] = [
        ["warehouses", "create", "MAIN", "--name", "Main DC", "--priority", "1"],
        ["products", "upsert", "--sku", "MUG-350", "--name", "Blue mug", "--price", "12.50", "--currency", "USD"],
        ["stock", "adjust", "MUG-350", "--warehouse", "MAIN", "--delta", "10", "--reason", "receipt"],
        [
            "customers", "upsert", "--id", "C-1", "--name", "Ada Lovelace", "--email", "ada@example.com", "--line1",
            "1 Main St", "--city", "London", "--country", "GB",
        ],
    ]
    for step in steps {
        let result = try await omsctl.run(step + omsd.flags)
        guard result.status == 0 else {
            throw TestFailure("omsctl \(step.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
    }
}

/// Creates an order for C-1 of `quantity` × MUG-350 and returns its id.
func createOrder(
    _ omsd: some DaemonAddress, _ omsctl: Omsctl, quantity: Int, channel: String = "web", externalRef: String = ""
) async throws -> String {
    let result = try await omsctl.run(
        [
            "orders", "create", "--customer", "C-1", "--channel", channel, "--currency", "USD", "--line",
            "MUG-350:\(quantity)", "--external-ref", externalRef, "-o", "json",
        ] + omsd.flags)
    guard result.status == 0 else { throw TestFailure("orders create exited \(result.status): \(result.stderr)") }
    guard let order = try parseJSON(result.stdout) as? [String: Any], let id = order["id"] as? String else {
        throw TestFailure("orders create printed no id:\n\(result.stdout)")
    }
    return id
}

/// `omsctl stock get MUG-350 -o json` shows these totals.
func expectStock(
    _ omsd: some DaemonAddress, _ omsctl: Omsctl, onHand: Int64, reserved: Int64, available: Int64,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let result = try await omsctl.run(["stock", "get", "MUG-350", "-o", "json"] + omsd.flags)
    #expect(result.status == 0, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let stock = try #require(try parseJSON(result.stdout) as? [String: Any], sourceLocation: sourceLocation)
    #expect(jsonInt64(stock["onHand"]) == onHand, sourceLocation: sourceLocation)
    #expect(jsonInt64(stock["reserved"]) == reserved, sourceLocation: sourceLocation)
    #expect(jsonInt64(stock["available"]) == available, sourceLocation: sourceLocation)
}
