import Logging
import OMSCore
import OMSProto
import OMSServer
import RPC
import Storage
import Synchronization
import Testing

/// RocksDB whose commits fail while `failing` is set, the way a full disk
/// fails a WAL write.
private final class FailingDisk: KeyValueStore {
    let database: Database
    let failing = Atomic<Bool>(false)

    init(_ database: Database) {
        self.database = database
    }

    var storeID: UInt64 { database.storeID }
    var columnFamilyNames: [String] { database.columnFamilyNames }
    var isClosed: Bool { database.isClosed }
    func columnFamily(_ name: String) -> ColumnFamily { database.columnFamily(name) }
    func readView() throws(StorageError) -> any ReadView & Sendable { try database.readView() }
    func close() { database.close() }

    func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.get(family, key)
    }

    func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try database.withValue(family, key, body)
    }

    func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try database.scan(family, range)
    }

    func beginWriteGroup() throws(StorageError) -> any WriteGroup {
        Group(disk: self, base: try database.beginWriteGroup())
    }

    struct Group: WriteGroup {
        let disk: FailingDisk
        let base: any WriteGroup

        func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
            try base.get(family, key)
        }

        func withValue<R>(
            _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
        ) throws -> R {
            try base.withValue(family, key, body)
        }

        func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
            try base.scan(family, range)
        }

        func commit(_ writes: WriteSet) throws(StorageError) {
            if disk.failing.load(ordering: .relaxed) {
                throw StorageError(
                    code: .ioError, message: "IO error: No space left on device: While appending to file: 000042.log")
            }
            try base.commit(writes)
        }
    }
}

private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "omsd-test") { _ in Handler(lines: self) }
    }

    struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("\(event.level) \(event.message) \(fields.joined(separator: " "))")
        }
    }
}

@Suite("storage failures")
struct StorageFailureTests {
    @Test("a failed commit answers a clean INTERNAL and is logged once with the method, request id and full text")
    func failedCommitIsLoggedWithItsCause() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let disk = Mutex<FailingDisk?>(nil)
        let log = LogLines()
        let daemon = try await OMSDaemon(
            config: .init(host: "127.0.0.1", port: 0, dataDirectory: directory, eventLoopThreads: 1),
            storage: { path, families in
                let failing = FailingDisk(try Database(path: path, columnFamilies: families))
                disk.withLock { $0 = failing }
                return failing
            }, logger: log.logger)
        let port = try await daemon.start()
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(try readToken(daemon.adminTokenPath))")
        let client = RPCClient(config: .init(host: "127.0.0.1", port: port, defaultMetadata: metadata))
        do {
            disk.withLock { $0?.failing.store(true, ordering: .relaxed) }
            var request = Oms_V1_UpsertProductRequest()
            request.requestID = "disk-full-1"
            request.product = product("SKU-FULL")
            let error = await rpcError { _ = try await client.unary(Catalog.upsertProduct, request) }
            #expect(error?.code == .internalError)
            #expect(error?.message == "storage error")
            #expect(error?.description.contains("No space") == false)

            let failures = log.all.filter { $0.contains("No space left on device") }
            #expect(failures.count == 1, "\(log.all)")
            let line = failures.first ?? ""
            #expect(line.contains("/oms.v1.CatalogService/UpsertProduct"))
            #expect(line.contains("disk-full-1"))
            #expect(line.contains("While appending to file: 000042.log"))

            // The disk recovers: the same request now succeeds and nothing of the failed one was kept.
            disk.withLock { $0?.failing.store(false, ordering: .relaxed) }
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
