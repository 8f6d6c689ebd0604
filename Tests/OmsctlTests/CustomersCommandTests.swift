import Foundation
import Testing

/// `omsctl customers ...` against a real omsd.
@Suite("omsctl customers")
struct CustomersCommandTests {
    @Test("customers upsert, get and list: JSON and CSV; an update bumps the version; a missing id exits 5")
    func upsertGetList() async throws {
        try await withDaemon { omsd, omsctl in
            let upsert = try await omsctl.run(
                [
                    "customers", "upsert", "--id", "C-1", "--name", "Ada Lovelace", "--email", "ada@example.com",
                    "--line1", "1 Main St", "--city", "London", "--country", "gb", "--tag", "vip", "-o", "json",
                ] + omsd.flags)
            #expect(upsert.status == 0, "stderr: \(upsert.stderr)")
            let created = try #require(try parseJSON(upsert.stdout) as? [String: Any])
            #expect(created["id"] as? String == "C-1")
            #expect(created["email"] as? String == "ada@example.com")
            #expect(jsonInt64(created["version"]) == 1)
            #expect(created["tags"] as? [String] == ["vip"])
            let address = try #require((created["addresses"] as? [[String: Any]])?.first)
            #expect(address["countryCode"] as? String == "GB")
            #expect(address["city"] as? String == "London")

            // Without --id the server picks one.
            let generated = try await omsctl.run(
                ["customers", "upsert", "--name", "Charles Babbage", "-o", "json"] + omsd.flags)
            #expect(generated.status == 0, "stderr: \(generated.stderr)")
            let second = try #require(try parseJSON(generated.stdout) as? [String: Any])
            let secondID = try #require(second["id"] as? String)
            #expect(secondID.hasPrefix("cus_"))

            let update = try await omsctl.run(
                ["customers", "upsert", "--id", "C-1", "--name", "Ada King", "--expected-version", "1"] + omsd.flags)
            #expect(update.status == 0, "stderr: \(update.stderr)")
            #expect(update.stderr.contains("updated C-1 (version 2)"), "stderr: \(update.stderr)")
            let stale = try await omsctl.run(
                ["customers", "upsert", "--id", "C-1", "--name", "Ada", "--expected-version", "1"] + omsd.flags)
            #expect(stale.status == 6, "stdout: \(stale.stdout) stderr: \(stale.stderr)")

            let get = try await omsctl.run(["customers", "get", "C-1", "-o", "json"] + omsd.flags)
            #expect(get.status == 0, "stderr: \(get.stderr)")
            let fetched = try #require(try parseJSON(get.stdout) as? [String: Any])
            #expect(fetched["name"] as? String == "Ada King")
            #expect(jsonInt64(fetched["version"]) == 2)

            let list = try await omsctl.run(["customers", "list", "-o", "json"] + omsd.flags)
            #expect(list.status == 0, "stderr: \(list.stderr)")
            let customers = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(Set(customers.compactMap { $0["id"] as? String }) == ["C-1", secondID])

            let csv = try await omsctl.run(["customers", "list", "--all", "-o", "csv"] + omsd.flags)
            #expect(csv.status == 0, "stderr: \(csv.stderr)")
            let rows = CSV.parse(csv.stdout)
            try #require(rows.count == 3, "expected a header and two rows:\n\(csv.stdout)")
            #expect(rows[0] == ["id", "name", "email", "phone", "tier", "points", "version"])
            let ada = try #require(rows.first { $0.first == "C-1" })
            #expect(ada == ["C-1", "Ada King", "", "", "standard", "0", "2"])

            let missing = try await omsctl.run(["customers", "get", "C-404"] + omsd.flags)
            #expect(missing.status == 5, "stdout: \(missing.stdout) stderr: \(missing.stderr)")
        }
    }
}
