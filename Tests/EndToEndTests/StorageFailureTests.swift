import Logging
import OMSCore
import OMSProto
import OMSServer
import RPC
import Storage
import Synchronization
import TestSupport
import Testing

@Suite("storage failures")
struct StorageFailureTests {
    @Test("a failed commit answers a clean INTERNAL and is logged once with the method, request id and full text")
    func failedCommitIsLoggedWithItsCause() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let disk = Mutex<FaultyCommits?>(nil)
        let log = LogRecords()
        let daemon = try await OMSDaemon(
            config: .init(host: "127.0.0.1", port: 0, dataDirectory: directory, eventLoopThreads: 1),
            storage: { path, families in
                let failing = FaultyCommits(try Database(path: path, columnFamilies: families))
                disk.withLock { $0 = failing }
                return failing
            }, logger: log.logger)
        let port = try await daemon.start()
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(try readToken(daemon.adminTokenPath))")
        let client = RPCClient(config: .init(host: "127.0.0.1", port: port, defaultMetadata: metadata))
        do {
            disk.withLock {
                $0?.fail(
                    with: StorageError(
                        code: .ioError,
                        message: "IO error: No space left on device: While appending to file: 000042.log"))
            }
            var request = Oms_V1_UpsertProductRequest()
            request.requestID = "disk-full-1"
            request.product = product("SKU-FULL")
            let error = await rpcError { _ = try await client.unary(Catalog.upsertProduct, request) }
            #expect(error?.code == .internalError)
            #expect(error?.message == "storage error")
            #expect(error?.description.contains("No space") == false)

            let lines = log.entries.map(\.line)
            let failures = lines.filter { $0.contains("No space left on device") }
            #expect(failures.count == 1, "\(lines)")
            let line = failures.first ?? ""
            #expect(line.contains("/oms.v1.CatalogService/UpsertProduct"))
            #expect(line.contains("disk-full-1"))
            #expect(line.contains("While appending to file: 000042.log"))

            // The disk recovers: the same request now succeeds and nothing of the failed one was kept.
            disk.withLock { $0?.heal() }
            let saved = try await client.unary(Catalog.upsertProduct, request)
            #expect(saved.product?.version == 1)
            #expect(saved.created)
        } catch {
            await client.close()
            await daemon.stop()
            throw error
        }
        await client.close()
        await daemon.stop()
    }
}
