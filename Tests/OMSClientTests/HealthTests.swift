import OMSClient
import Testing

@Suite("SDK health")
struct HealthTests {
    @Test("the server and its services report SERVING; an unknown service is SERVICE_UNKNOWN")
    func check() async throws {
        try await withDaemonAndClient { _, client in
            let server = try await client.health.check()
            let catalog = try await client.health.check(service: "oms.v1.CatalogService")
            let unknown = try await client.health.check(service: "no.such.Service")
            #expect(server == .serving)
            #expect(catalog == .serving)
            #expect(unknown == .serviceUnknown)
        }
    }

    @Test("health needs no token")
    func withoutToken() async throws {
        try await withDaemonAndClient { omsd, _ in
            let anonymous = try OMSClient(address: omsd.address, token: nil)
            let status = await outcome { try await anonymous.health.check() }
            await anonymous.close()
            #expect(status.failure == nil)
            #expect((try? status.get()) == .serving)
        }
    }
}
