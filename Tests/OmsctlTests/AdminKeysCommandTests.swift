import Foundation
import Testing

/// `omsctl admin keys ...` against a real omsd.
@Suite("omsctl admin keys")
struct AdminKeysCommandTests {
    @Test("create prints only the token on stdout; the key works, is listed, and is refused once revoked")
    func lifecycle() async throws {
        try await withDaemon { omsd, omsctl in
            let create = try await omsctl.run(["admin", "keys", "create", "erp-sync"] + omsd.flags)
            #expect(create.status == 0, "stderr: \(create.stderr)")
            let token = create.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("oms_") && token.count == 68, "stdout: \(create.stdout)")
            #expect(create.stderr.contains("created service key erp-sync"), "stderr: \(create.stderr)")

            let asService = ["--address", omsd.address, "--token", token]
            let health = try await omsctl.run(["products", "list", "-o", "json"] + asService)
            #expect(health.status == 0, "stderr: \(health.stderr)")
            let denied = try await omsctl.run(["admin", "info"] + asService)
            #expect(denied.status == 4, "stdout: \(denied.stdout) stderr: \(denied.stderr)")
            #expect(denied.stderr.contains("needs an admin key"), "stderr: \(denied.stderr)")

            let list = try await omsctl.run(["admin", "keys", "list", "-o", "json"] + omsd.flags)
            #expect(list.status == 0, "stderr: \(list.stderr)")
            let keys = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(keys.compactMap { $0["name"] as? String } == ["admin", "erp-sync"])
            let erp = try #require(keys.first { $0["name"] as? String == "erp-sync" })
            #expect(erp["role"] as? String == "service")
            #expect(erp["tokenPrefix"] as? String == String(token.prefix(8)))
            #expect(erp["token"] == nil)

            let revoke = try await omsctl.run(["admin", "keys", "revoke", "erp-sync", "-o", "csv"] + omsd.flags)
            #expect(revoke.status == 0, "stderr: \(revoke.stderr)")
            let rows = CSV.parse(revoke.stdout)
            try #require(rows.count == 2, "stdout: \(revoke.stdout)")
            #expect(
                rows[0] == [
                    "name", "role", "createdAtMillis", "createdBy", "revokedAtMillis", "revokedBy", "tokenPrefix",
                ])
            #expect(rows[1][0] == "erp-sync" && rows[1][5] == "admin" && rows[1][4] != "0")

            let refused = try await omsctl.run(["products", "list"] + asService)
            #expect(refused.status == 4, "stdout: \(refused.stdout) stderr: \(refused.stderr)")
            #expect(refused.stderr.contains("the token was rejected"), "stderr: \(refused.stderr)")

            let again = try await omsctl.run(["admin", "keys", "create", "erp-sync"] + omsd.flags)
            #expect(again.status != 0)
            #expect(again.stderr.contains("name"), "stderr: \(again.stderr)")
        }
    }
}
