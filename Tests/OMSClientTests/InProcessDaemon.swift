import Foundation
import Logging
import OMSClient
import OMSServer
import Storage
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// omsd in-process on 127.0.0.1:0 with its own temporary data directory
/// (a trimmed copy of EndToEndTests/DaemonHarness: test targets cannot share code).
struct InProcessDaemon {
    let daemon: OMSDaemon
    let port: Int
    let token: String
    let dataDirectory: String

    var address: String { "127.0.0.1:\(port)" }

    /// - Parameter tls: serve TLS with the fixtures in Tests/tls (server.pem for 127.0.0.1).
    static func start(
        tls: Bool = false, logger: Logger = Logger(label: "omsd-test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> InProcessDaemon {
        let directory = try TemporaryDirectory.make(prefix: "omsclient-test")
        do {
            var config = OMSDaemon.Config(
                host: "127.0.0.1", port: 0, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
                eventLoopThreads: 1)
            if tls {
                config.tlsCertificateChainFile = TLSFixture.path("server.pem")
                config.tlsPrivateKeyFile = TLSFixture.path("server.key")
            }
            let daemon = try await OMSDaemon(config: config, storage: Database.openStore, logger: logger)
            let port = try await daemon.start()
            let token = try String(contentsOfFile: daemon.adminTokenPath, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return InProcessDaemon(daemon: daemon, port: port, token: token, dataDirectory: directory)
        } catch {
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    func stop() async {
        await daemon.stop()
        TemporaryDirectory.remove(dataDirectory)
    }

    /// An SDK client with the admin token for `address` (the daemon itself unless given).
    func client(address: String? = nil, options: OMSClient.Options = .init()) throws -> OMSClient {
        try OMSClient(address: address ?? self.address, token: token, options: options)
    }
}

/// Runs `body` with a fresh daemon (serving TLS with `tls`) and an SDK client
/// with `options`, then closes and removes both.
func withDaemonAndClient(
    logger: Logger? = nil, tls: Bool = false, options: OMSClient.Options = .init(),
    _ body: (InProcessDaemon, OMSClient) async throws -> Void
) async throws {
    let omsd: InProcessDaemon
    if let logger {
        omsd = try await InProcessDaemon.start(tls: tls, logger: logger)
    } else {
        omsd = try await InProcessDaemon.start(tls: tls)
    }
    let client: OMSClient
    do {
        client = try omsd.client(options: options)
    } catch {
        await omsd.stop()
        throw error
    }
    do {
        try await body(omsd, client)
    } catch {
        await client.close()
        await omsd.stop()
        throw error
    }
    await client.close()
    await omsd.stop()
}

enum TemporaryDirectory {
    static func make(prefix: String) throws -> String {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestFailure("mkdtemp failed: errno \(errno)")
        }
        return String(cString: made)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
