/// Where an omsd listens: a host name or IP address and a TCP port.
///
/// Parsed from the `host:port` text users type: `127.0.0.1:50051`,
/// `localhost:50051`, `oms.internal:7000`, `[::1]:50051` (IPv6 in brackets).
/// A missing port means ``defaultPort`` (50051).
public struct ServerAddress: Hashable, Sendable, CustomStringConvertible {
    /// The port omsd listens on unless told otherwise.
    public static let defaultPort = 50051

    /// A host name, IPv4 address or IPv6 address (without brackets).
    public var host: String
    /// The TCP port, 1...65535.
    public var port: Int

    /// An address from its parts; no validation beyond what the types guarantee.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `host` or `[ipv6]:port`.
    ///
    /// - Throws: ``OMSError`` with code ``OMSError/Code/invalidArgument`` and a
    ///   message saying what is wrong and what a valid address looks like.
    public init(parsing text: String) throws(OMSError) {
        let trimmed = text.trimmingWhitespace()
        func invalid(_ why: String) -> OMSError {
            OMSError(
                code: .invalidArgument,
                message: "invalid address '\(text)': \(why) (expected host:port, e.g. 127.0.0.1:50051 or [::1]:50051)")
        }
        guard !trimmed.isEmpty else { throw invalid("it is empty") }
        if trimmed.contains("://") { throw invalid("leave out the scheme") }

        var host: Substring
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw invalid("missing ']' after the IPv6 address") }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw invalid("expected ':' and a port after ']'") }
                portText = rest.dropFirst()
            }
            guard host.contains(":") else { throw invalid("brackets are only for IPv6 addresses") }
        } else {
            let colons = trimmed.filter { $0 == ":" }.count
            if colons > 1 { throw invalid("put an IPv6 address in brackets, e.g. [::1]:50051") }
            if let colon = trimmed.firstIndex(of: ":") {
                host = trimmed[..<colon]
                portText = trimmed[trimmed.index(after: colon)...]
            } else {
                host = Substring(trimmed)
            }
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                throw invalid("the host may only contain letters, digits, '.', '-' and '_'")
            }
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }

        var port = Self.defaultPort
        if let portText {
            guard !portText.isEmpty else { throw invalid("the port is missing") }
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText),
                (1...65535).contains(value)
            else { throw invalid("the port must be a number from 1 to 65535") }
            port = value
        }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, with IPv6 hosts in brackets (`[::1]:50051`).
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
