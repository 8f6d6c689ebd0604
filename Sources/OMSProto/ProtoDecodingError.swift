/// Bytes that are not a valid encoding of the requested message type:
/// truncated, a wrong wire type for a known field, a length past the end, an
/// unsupported wire type (groups), and so on. protobuf-c does not say which,
/// so the error names the message type only.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Human-readable reason, e.g. "invalid protobuf for oms.v1.Product".
    public var message: String
    /// The fully qualified name of the message that failed to decode.
    public var protoMessageName: String

    public init(message: String, protoMessageName: String) {
        self.message = message
        self.protoMessageName = protoMessageName
    }

    init(invalidEncodingOf protoMessageName: String) {
        self.init(message: "invalid protobuf for \(protoMessageName)", protoMessageName: protoMessageName)
    }

    public var description: String { message }
}
