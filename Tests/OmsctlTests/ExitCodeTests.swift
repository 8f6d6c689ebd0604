import Testing

/// The exit codes `omsctl --help` documents, each from a real failure.
@Suite("omsctl exit codes")
struct ExitCodeTests {
    @Test("5 for a missing SKU")
    func notFound() async throws {
        try await withDaemon { omsd, omsctl in
            let result = try await omsctl.run(["products", "get", "NOPE-1"] + omsd.flags)
            #expect(result.status == 5)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("NOPE-1"))
        }
    }

    @Test("4 for a wrong token, with the hint on how to pass one")
    func wrongToken() async throws {
        try await withDaemon { omsd, omsctl in
            let result = try await omsctl.run(["products", "get", "A-1", "--address", omsd.address, "--token", "wrong"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("token was rejected (from --token)"))
            #expect(result.stderr.contains("OMS_TOKEN"))
            #expect(result.stderr.contains("--token-file"))

            // No token anywhere (no flag, env, config or ./var/data/admin.token).
            let none = try await omsctl.run(["products", "get", "A-1", "--address", omsd.address])
            #expect(none.status == 4)
            #expect(none.stderr.contains("needs a token"))
        }
    }

    @Test("3 when nothing listens at the address")
    func unreachable() async throws {
        try await withDaemon { _, omsctl in
            let port = try closedPort()
            let result = try await omsctl.run([
                "products", "get", "A-1", "--address", "127.0.0.1:\(port)", "--token", "t",
            ])
            #expect(result.status == 3)
            #expect(result.stderr.contains("cannot reach omsd at 127.0.0.1:\(port)"))
            let health = try await omsctl.run(["health", "--address", "127.0.0.1:\(port)"])
            #expect(health.status == 3)
        }
    }

    @Test("6 for an empty sku, naming product.sku")
    func rejected() async throws {
        try await withDaemon { omsd, omsctl in
            let result = try await omsctl.run(
                ["products", "upsert", "--sku", "", "--name", "Nameless", "--price", "1", "--currency", "USD"]
                    + omsd.flags)
            #expect(result.status == 6)
            #expect(result.stderr.contains("product.sku"))
            #expect(result.stderr.contains("--sku"))
        }
    }

    @Test("2 for usage errors: an unknown flag, a bad address, a bad price")
    func usage() async throws {
        try await withDaemon { omsd, omsctl in
            let unknown = try await omsctl.run(["products", "list", "--bogus"] + omsd.flags)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("--bogus"))
            #expect(unknown.stdout.isEmpty)

            let address = try await omsctl.run(["health", "--address", "http://x:1"])
            #expect(address.status == 2)

            let price = try await omsctl.run(
                ["products", "upsert", "--sku", "A-1", "--name", "A", "--price", "1.234", "--currency", "USD"]
                    + omsd.flags)
            #expect(price.status == 2)
        }
    }

    @Test("7 when omsd does not answer within --timeout")
    func deadline() async throws {
        try await withDaemon { omsd, omsctl in
            let result = try await omsctl.run(["admin", "ping", "--delay-ms", "2000", "--timeout", "0.2"] + omsd.flags)
            #expect(result.status == 7)
            #expect(result.stderr.contains("did not answer within 0.2 s"))
        }
    }
}
