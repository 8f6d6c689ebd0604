/// An error reported by the HTTP/2 engine (libnghttp2) or by this wrapper.
///
/// Modelled on `RPCError` in grpc-swift: a code that callers switch on, a
/// human-readable message, and where it was raised.
public struct HTTP2Error: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: Int
        /// The peer violated the protocol; the connection must be closed after
        /// flushing the GOAWAY nghttp2 has queued.
        public static let protocolError = Code(raw: 1)
        /// The peer flooded us with frames we must answer (PING/SETTINGS), or
        /// reset streams faster than allowed: a denial-of-service attempt.
        public static let flooded = Code(raw: 2)
        /// The connection did not start with the HTTP/2 client preface
        /// (for example an HTTP/1.1 request on the h2c port).
        public static let badClientMagic = Code(raw: 3)
        /// A call was made in a state that does not allow it (stream closed,
        /// session terminated, too many streams).
        public static let invalidState = Code(raw: 4)
        /// Memory could not be allocated inside nghttp2.
        public static let outOfMemory = Code(raw: 5)
        /// Any other nghttp2 error code.
        public static let internalError = Code(raw: 6)

        public var description: String {
            switch self {
            case .protocolError: "protocol error"
            case .flooded: "flooded"
            case .badClientMagic: "bad client magic"
            case .invalidState: "invalid state"
            case .outOfMemory: "out of memory"
            default: "internal error"
            }
        }
    }

    public var code: Code
    public var message: String
    /// The raw nghttp2 error code (negative), when the error came from the library.
    public var libraryCode: Int32?
    public var file: String
    public var line: Int

    public init(
        code: Code, message: String, libraryCode: Int32? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.libraryCode = libraryCode
        self.file = file
        self.line = line
    }

    public var description: String {
        "HTTP2Error(\(code)): \(message)"
    }
}
