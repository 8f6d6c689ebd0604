import OMSClient
import OMSServer
import Storage
import Testing

/// The committed test certificates (Tests/tls/generate.sh).
enum TLSFixture {
    static func path(_ name: String) -> String {
        let file = "\(#filePath)"
        let tests = file[..<file.range(of: "/OMSClientTests/")!.lowerBound]
        return "\(tests)/tls/\(name)"
    }
}

@Suite("SDK over TLS")
struct TLSTests {
    @Test("with the CA file, every call works over TLS, reads and writes")
    func roundTrip() async throws {
        try await withDaemonAndClient(tls: true, options: .init(tls: .init(caFile: TLSFixture.path("ca.pem")))) {
            omsd, client in
            #expect(try await client.health.check() == .serving)
            let (saved, created) = try await client.catalog.upsertProduct(product("TLS-1"))
            #expect(created && saved.version == 1)
            #expect(try await client.catalog.product(sku: "TLS-1").name == "Widget")
            let byName = try omsd.client(
                options: .init(tls: .init(caFile: TLSFixture.path("ca.pem"), serverName: "localhost")))
            #expect(try await byName.admin.ping().payload.isEmpty)
            await byName.close()
        }
    }

    @Test("a client trusting another CA, and a cleartext client, are refused with UNAVAILABLE")
    func refusals() async throws {
        let omsd = try await InProcessDaemon.start(tls: true)
        let noRetry = OMSClient.Options(retry: .disabled)
        var untrustedOptions = noRetry
        untrustedOptions.tls = .init(caFile: TLSFixture.path("other-ca.pem"))
        for options in [untrustedOptions, noRetry] {
            let client = try omsd.client(options: options)
            let error = await omsError { _ = try await client.admin.ping() }
            #expect(
                error?.code == .unavailable, "tls: \(String(describing: options.tls)): \(String(describing: error))")
            await client.close()
        }
        await omsd.stop()
    }

    @Test("a TLS client against a cleartext omsd fails with UNAVAILABLE; an unreadable CA file fails at once")
    func mismatchAndBadFiles() async throws {
        try await withDaemonAndClient { omsd, _ in
            var options = OMSClient.Options(retry: .disabled)
            options.tls = .init(caFile: TLSFixture.path("ca.pem"))
            let client = try omsd.client(options: options)
            #expect(await omsError { _ = try await client.admin.ping() }?.code == .unavailable)
            await client.close()

            options.tls = .init(caFile: "/nonexistent/ca.pem")
            do {
                _ = try omsd.client(options: options)
                Issue.record("a missing CA file was accepted")
            } catch let error as OMSError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("/nonexistent/ca.pem"))
            }
        }
    }

    @Test("omsd refuses to start with a missing certificate or a key that does not match it")
    func daemonChecksItsFiles() async throws {
        let directory = try TemporaryDirectory.make(prefix: "omsclient-tls")
        defer { TemporaryDirectory.remove(directory) }
        var config = OMSDaemon.Config(host: "127.0.0.1", port: 0, dataDirectory: directory + "/data")
        config.tlsCertificateChainFile = directory + "/missing.pem"
        config.tlsPrivateKeyFile = TLSFixture.path("server.key")
        await #expect(throws: OMSDaemon.TLSError.self) {
            _ = try await OMSDaemon(config: config, storage: Database.openStore)
        }

        // other-ca.pem is a valid certificate, but server.key is not its key.
        config.tlsCertificateChainFile = TLSFixture.path("other-ca.pem")
        do {
            _ = try await OMSDaemon(config: config, storage: Database.openStore)
            Issue.record("a mismatched key was accepted")
        } catch let error as OMSDaemon.TLSError {
            #expect(error.description.contains("does the key match"))
        }
    }
}
