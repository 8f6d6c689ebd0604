import Foundation
import Logging
import OMSCore
import OMSProto
import OMSServer
import Storage

/// omsd in-process on 127.0.0.1:0 with a temporary data directory, for
/// omsctl to talk to (a trimmed copy of EndToEndTests/DaemonHarness).
struct Daemon {
    let daemon: OMSDaemon
    let port: Int
    let token: String
    let dataDirectory: String

    var address: String { "127.0.0.1:\(port)" }
    var tokenPath: String { daemon.adminTokenPath }

    /// - Parameters:
    ///   - tlsFiles: PEM certificate chain and key: serve TLS.
    ///   - port: 0 picks a free one; a restart passes the port of the omsd it replaces.
    static func start(
        in workspace: Workspace, tlsFiles: (chain: String, key: String)? = nil, port: Int = 0
    ) async throws -> Daemon {
        let directory = workspace.path + "/data"
        var config = OMSDaemon.Config(
            host: "127.0.0.1", port: port, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
            eventLoopThreads: 1)
        config.tlsCertificateChainFile = tlsFiles?.chain
        config.tlsPrivateKeyFile = tlsFiles?.key
        let daemon = try await OMSDaemon(
            config: config, storage: Database.openStore,
            logger: Logger(label: "omsd-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = try await daemon.start()
        let token = try String(contentsOfFile: daemon.adminTokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return Daemon(daemon: daemon, port: port, token: token, dataDirectory: directory)
    }

    func stop() async {
        await daemon.stop()
    }

    /// Stores products directly through the catalog (no RPC), for tests that
    /// need many of them.
    func seed(_ products: [Oms_V1_Product]) async throws {
        let catalog = Catalog(store: daemon.store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for product in products {
                group.addTask {
                    var request = Oms_V1_UpsertProductRequest()
                    request.product = product
                    _ = try await catalog.upsert(request, actor: "test-seed")
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A temporary directory for one test (omsd's data, omsctl's HOME and working
/// directory, config and token files), removed afterwards.
struct Workspace {
    let path: String

    static func make() throws -> Workspace {
        var template = Array("\(NSTemporaryDirectory())/omsctl-test-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestFailure("mkdtemp failed")
        }
        let path = String(cString: made)
        try FileManager.default.createDirectory(atPath: path + "/home", withIntermediateDirectories: true)
        return Workspace(path: path)
    }

    var home: String { path + "/home" }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a workspace and a daemon in it, then stops and removes both.
func withDaemon(_ body: (Daemon, Omsctl) async throws -> Void) async throws {
    let workspace = try Workspace.make()
    let omsd: Daemon
    do {
        omsd = try await Daemon.start(in: workspace)
    } catch {
        workspace.remove()
        throw error
    }
    do {
        try await body(omsd, try Omsctl(workspace: workspace))
    } catch {
        await omsd.stop()
        workspace.remove()
        throw error
    }
    await omsd.stop()
    workspace.remove()
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func product(_ sku: String, name: String = "Widget", price: Int64 = 1250, currency: String = "USD") -> Oms_V1_Product {
    Oms_V1_Product.with {
        $0.sku = sku
        $0.name = name
        $0.unitPrice = .with {
            $0.currencyCode = currency
            $0.amountMinor = price
        }
    }
}

/// A TCP port on 127.0.0.1 where nothing listens: bound, then closed.
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestFailure("bind failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
