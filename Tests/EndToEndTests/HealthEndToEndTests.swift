import OMSCore
import OMSProto
import OMSServer
import RPC
import Storage
import Testing

@Suite("Health end to end")
struct HealthEndToEndTests {
    @Test("every registered service reports SERVING; unknown services are NOT_FOUND")
    func perService() async throws {
        try await withDaemon { omsd in
            for service in [
                "", "oms.v1.CatalogService", "oms.v1.AdminService", "oms.v1.EventService", "grpc.health.v1.Health",
            ] {
                let response = try await omsd.client.unary(
                    Grpc_Health_V1_Health.Method.check, .with { $0.service = service })
                #expect(response.status == .serving, "\(service)")
            }
            let unknown = await rpcError {
                _ = try await omsd.client.unary(
                    Grpc_Health_V1_Health.Method.check, .with { $0.service = "no.such.Service" })
            }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test("Watch sends the current status, then NOT_SERVING when the daemon shuts down")
    func watchDuringShutdown() async throws {
        let omsd = try await DaemonHarness.start()
        let watcher = omsd.anonymousClient()
        var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
        let stream = watcher.serverStreaming(
            Grpc_Health_V1_Health.Method.watch, .with { $0.service = "oms.v1.CatalogService" })
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

@Suite("Event retention end to end")
struct EventRetentionEndToEndTests {
    @Test(
        "events and request_ids older than their retention are removed; resuming inside the removed range is OUT_OF_RANGE"
    )
    func retention() async throws {
        let clock = ManualClock()
        let directory = makeTemporaryDirectory()
        let daemon = try await OMSDaemon(
            config: .init(
                host: "127.0.0.1", port: 0, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
                eventLoopThreads: 1, eventRetentionDays: 1),
            storage: Database.openStore, clock: clock)
        let port = try await daemon.start()
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(try readToken(daemon.adminTokenPath))")
        let client = RPCClient(config: .init(host: "127.0.0.1", port: port, defaultMetadata: metadata))
        do {
            for sku in ["OLD-1", "OLD-2"] {
                _ = try await client.unary(Catalog.upsertProduct, .with { $0.product = product(sku) })
            }
            _ = try await client.unary(
                Catalog.upsertProduct,
                .with {
                    $0.requestID = "keyed-old"
                    $0.product = product("KEYED-1")
                })
            clock.advance(millis: 8 * 86_400_000)
            _ = try await client.unary(Catalog.upsertProduct, .with { $0.product = product("NEW-1") })
            _ = try await client.unary(
                Catalog.upsertProduct,
                .with {
                    $0.requestID = "keyed-new"
                    $0.product = product("KEYED-2")
                })
            #expect(try await daemon.eventRetention.trimNow() == 3)
            // request_ids are kept 7 days by default: the old one goes, the new one stays.
            #expect(try await daemon.idempotencyRetention.trimNow() == 1)
            #expect(try await daemon.idempotencyRetention.trimNow() == 0)

            let trimmed = await rpcError {
                for try await _ in client.serverStreaming(
                    Oms_V1_EventService.Method.watchEvents, .with { $0.afterSequence = 1 })
                {}
            }
            #expect(trimmed?.code == .outOfRange)
            #expect(trimmed?.reason == "EVENTS_TRIMMED")

            for after: UInt64 in [0, 3] {
                var iterator = client.serverStreaming(
                    Oms_V1_EventService.Method.watchEvents, .with { $0.afterSequence = after }
                ).makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first?.sequence == 4 && first?.resourceID == "NEW-1", "after \(after)")
            }
        } catch {
            await client.close()
            await daemon.stop()
            removeDirectory(directory)
            throw error
        }
        await client.close()
        await daemon.stop()
        removeDirectory(directory)
    }
}
