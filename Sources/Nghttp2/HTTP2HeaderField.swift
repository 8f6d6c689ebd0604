/// One header field to send. Names must be lower case (HTTP/2 requires it).
public struct HTTP2HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Never add this field to the HPACK dynamic table (secrets such as tokens).
    public var neverIndex: Bool

    public init(_ name: String, _ value: String, neverIndex: Bool = false) {
        self.name = name
        self.value = value
        self.neverIndex = neverIndex
    }
}

/// Which header block a received header field belongs to.
public enum HTTP2HeaderBlockKind: Sendable, Hashable {
    /// Request headers (server side) of a new stream.
    case request
    /// Response headers (client side); for gRPC may also be a trailers-only response.
    case response
    /// Trailers (a second HEADERS frame on the stream, carrying END_STREAM).
    case trailers
}
