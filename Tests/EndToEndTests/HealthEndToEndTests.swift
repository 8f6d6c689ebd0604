import OMSProto
import RPC
import Testing

@Suite("Health end to end")
struct HealthEndToEndTests {
    @Test("every registered service reports SERVING; unknown services are NOT_FOUND")
    func perService() async throws {
        try await withDaemon { omsd in
            for service in ["", "oms.v1.CatalogService", "oms.v1.AdminService", "oms.v1.EventService", "grpc.health.v1.Health"] {
                let response = try await omsd.client.unary(Grpc_Health_V1_Health.Method.check, .with { $0.service = service })
                #expect(response.status == .serving, "\(service)")
            }
            let unknown = await rpcError {
                _ = try await omsd.client.unary(Grpc_Health_V1_Health.Method.check, .with { $0.service = "no.such.Service" })
            }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test("Watch sends the current status, then NOT_SERVING when the daemon shuts down")
    func watchDuringShutdown() async throws {
        let omsd = try await DaemonHarness.start()
        let watcher = omsd.anonymousClient()
        var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
        let stream = watcher.serverStreaming(Grpc_Health_V1_Health.Method.watch, .with { $0.service = "oms.v1.CatalogService" })
        var iterator = stream.makeAsyncIterator()
        if let first = try await iterator.next() { statuses.append(first.status) }
        let stopping = Task { await omsd.stop() }
        do {
            while let next = try await iterator.next() { statuses.append(next.status) }
        } catch {
            // The connection may close right after the last status; what matters is what arrived.
        }
        await stopping.value
        await watcher.close()
        #expect(statuses.first == .serving)
        #expect(statuses.last == .notServing)
    }
}
