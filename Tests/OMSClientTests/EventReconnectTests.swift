import Foundation
import Logging
import OMSClient
import OMSServer
import Storage
import Testing

/// `events.watch` outlives omsd: a restart ends the call with UNAVAILABLE, and
/// the stream reconnects and resumes after the last event it delivered.
@Suite("SDK event watch across restarts")
struct EventReconnectTests {
    static let quiet = Logger(label: "omsd-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// omsd on `port` with `directory`, as a restart on the same address would be.
    static func start(port: Int, directory: String) async throws -> OMSDaemon {
        let config = OMSDaemon.Config(
            host: "127.0.0.1", port: port, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
            eventLoopThreads: 1)
        let daemon = try await OMSDaemon(config: config, storage: Database.openStore, logger: quiet)
        _ = try await daemon.start()
        return daemon
    }

    @Test(
        "watch reconnects when omsd restarts and resumes after the last delivered sequence; without reconnect it ends UNAVAILABLE",
        .timeLimit(.minutes(1)))
    func reconnectsAcrossARestart() async throws {
        let directory = try TemporaryDirectory.make(prefix: "omsclient-reconnect")
        defer { TemporaryDirectory.remove(directory) }
        let port = try closedPort()
        var daemon = try await Self.start(port: port, directory: directory)
        let token = try String(contentsOfFile: daemon.adminTokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let retry = OMSClient.RetryPolicy(
            maxAttempts: 5, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
        let client = try OMSClient(address: "127.0.0.1:\(port)", token: token, options: .init(retry: retry))
        do {
            _ = try await client.catalog.upsertProduct(product("RC-1"))
            var watch = client.events.watch(after: 0).makeAsyncIterator()
            let first = try await watch.next()
            #expect(first?.sequence == 1)
            #expect(first?.resourceID == "RC-1")

            await daemon.stop()
            daemon = try await Self.start(port: port, directory: directory)
            _ = try await client.catalog.upsertProduct(product("RC-2"))
            // The same stream, now on the new omsd: the next event, no gap, no repeat.
            let second = try await watch.next()
            #expect(second?.sequence == 2)
            #expect(second?.resourceID == "RC-2")

            var once = client.events.watch(after: 2, reconnect: false).makeAsyncIterator()
            _ = try await client.catalog.upsertProduct(product("RC-3"))
            #expect(try await once.next()?.sequence == 3)
            await daemon.stop()
            let ended = await omsError { _ = try await once.next() }
            #expect(ended?.code == .unavailable)
            #expect(ended?.reason == "SHUTTING_DOWN")
        } catch {
            await client.close()
            await daemon.stop()
            throw error
        }
        await client.close()
        await daemon.stop()
    }
}
