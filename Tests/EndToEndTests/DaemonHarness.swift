import OMSCore
import OMSProto
import OMSServer
import RPC
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// omsd in-process on 127.0.0.1:0 with its own temporary data directory.
struct DaemonHarness {
    let daemon: OMSDaemon
    let port: Int
    let token: String
    let dataDirectory: String
    let client: RPCClient

    static func start(dataDirectory: String? = nil, clock: any Clock = SystemClock()) async throws -> DaemonHarness {
        let directory = dataDirectory ?? makeTemporaryDirectory()
        let daemon = try await OMSDaemon(
            config: .init(
                host: "127.0.0.1", port: 0, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
                eventLoopThreads: 1),
            storage: Database.openStore, clock: clock)
        let port = try await daemon.start()
        let token = try readToken(daemon.adminTokenPath)
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(token)")
        let client = RPCClient(config: .init(host: "127.0.0.1", port: port, defaultMetadata: metadata))
        return DaemonHarness(daemon: daemon, port: port, token: token, dataDirectory: directory, client: client)
    }

    func stop(removeData: Bool = true) async {
        await client.close()
        await daemon.stop()
        if removeData { removeDirectory(dataDirectory) }
    }

    /// A client without the token.
    func anonymousClient() -> RPCClient {
        RPCClient(config: .init(host: "127.0.0.1", port: port))
    }
}

func withDaemon(_ body: (DaemonHarness) async throws -> Void) async throws {
    let harness = try await DaemonHarness.start()
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/omsd-e2e-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

func removeDirectory(_ path: String) {
    guard path.hasPrefix("/tmp/omsd-e2e-") else { return }
    _ = system("rm -rf '\(path)'")
}

func readToken(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw RPCError(.internalError, "cannot read \(path)") }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, 256, file) != nil else { throw RPCError(.internalError, "empty token file") }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n")
}

func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "\(error)")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

func product(_ sku: String, name: String = "Widget", price: Int64 = 1250, currency: String = "USD") -> Oms_V1_Product {
    Oms_V1_Product.with {
        $0.sku = sku
        $0.name = name
        $0.unitPrice = Oms_V1_Money.with {
            $0.currencyCode = currency
            $0.amountMinor = price
        }
    }
}
