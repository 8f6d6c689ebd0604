import NIOCore
import NIOSSL

/// Why TLS could not be set up: a file that is missing or not PEM, a key that
/// does not match. Raised when the server starts or the client is created,
/// never on a call.
public struct TLSSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// TLS for `GRPCServer`: a certificate chain and its private key (PEM files),
/// offering ALPN `h2` as gRPC requires.
public struct ServerTLS: Sendable {
    let context: NIOSSLContext

    /// Reads and checks both files now, so a bad path fails at start-up with
    /// the path in the message.
    public init(certificateChainFile: String, privateKeyFile: String) throws(TLSSetupError) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChainFile)
        } catch {
            throw TLSSetupError(
                description: "cannot read the TLS certificate chain \(certificateChainFile) (PEM): \(error)")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError(
                description: "the TLS certificate chain \(certificateChainFile) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        } catch {
            throw TLSSetupError(description: "cannot read the TLS private key \(privateKeyFile) (PEM): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2"]
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(
                description:
                    "cannot use \(certificateChainFile) with \(privateKeyFile) for TLS (does the key match the certificate?): \(error)"
            )
        }
    }

    func makeHandler() -> any ChannelHandler {
        NIOSSLServerHandler(context: context)
    }
}

/// TLS for `RPCClient`: which certificate authorities to trust and which name
/// the server's certificate must carry.
public struct ClientTLS: Sendable {
    let context: NIOSSLContext
    /// The name checked against the certificate and sent as SNI; nil uses the
    /// host the client connects to.
    let serverName: String?

    /// - Parameters:
    ///   - trustRootsFile: a PEM file of CA certificates; nil trusts the system's roots.
    ///   - serverName: the name the certificate must carry when it differs from the host.
    public init(trustRootsFile: String? = nil, serverName: String? = nil) throws(TLSSetupError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["h2"]
        if let trustRootsFile {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(trustRootsFile)
            } catch {
                throw TLSSetupError(description: "cannot read the CA file \(trustRootsFile) (PEM): \(error)")
            }
            guard !roots.isEmpty else {
                throw TLSSetupError(description: "the CA file \(trustRootsFile) holds no PEM certificate")
            }
            configuration.trustRoots = .certificates(roots)
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(description: "cannot set up TLS: \(error)")
        }
        self.serverName = serverName
    }

    /// The handler for a connection to `host`. SNI carries names only, so an
    /// IP address is verified against the certificate's IP entries without SNI.
    func makeHandler(host: String) throws -> any ChannelHandler {
        let name = serverName ?? host
        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name)
    }
}

/// Readable text for a connection that failed in TLS, with what to do about
/// it; nil when `error` is not a TLS error.
enum TLSFailure {
    static func describe(_ error: any Error) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "TLS: the server's certificate is not for this name (\(extra)); set the name it is for"
        }
        guard error is NIOSSLError || error is BoringSSLError else { return nil }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS: the server's certificate is not trusted; trust the CA that signed it"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "TLS: the server did not answer in TLS; is it serving cleartext? then connect without TLS"
        }
        return "TLS handshake failed: \(text)"
    }
}
