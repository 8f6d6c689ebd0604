/// A gRPC status: a code, a message, and optional rich details.
///
/// Thrown by handlers to fail a call and by clients when a call fails. The
/// `details` are the `google.rpc.Status.details` sent in
/// `grpc-status-details-bin` (field violations, error info), so a client can
/// tell which field or rule failed.
///
/// `cause` is the underlying error (a storage failure, say), kept for the
/// server's log only: it is never sent to the peer, and it takes no part in
/// equality or hashing (two errors the client cannot tell apart are equal).
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let ok = Code(rawValue: 0)
        public static let cancelled = Code(rawValue: 1)
        public static let unknown = Code(rawValue: 2)
        public static let invalidArgument = Code(rawValue: 3)
        public static let deadlineExceeded = Code(rawValue: 4)
        public static let notFound = Code(rawValue: 5)
        public static let alreadyExists = Code(rawValue: 6)
        public static let permissionDenied = Code(rawValue: 7)
        public static let resourceExhausted = Code(rawValue: 8)
        public static let failedPrecondition = Code(rawValue: 9)
        public static let aborted = Code(rawValue: 10)
        public static let outOfRange = Code(rawValue: 11)
        public static let unimplemented = Code(rawValue: 12)
        public static let internalError = Code(rawValue: 13)
        public static let unavailable = Code(rawValue: 14)
        public static let dataLoss = Code(rawValue: 15)
        public static let unauthenticated = Code(rawValue: 16)

        static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
            "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED",
        ]

        /// The canonical upper-case name, e.g. `INVALID_ARGUMENT`.
        public var name: String {
            Code.names.indices.contains(Int(rawValue)) ? Code.names[Int(rawValue)] : "CODE_\(rawValue)"
        }

        public var description: String { name }

        /// Parses a canonical name such as `NOT_FOUND`.
        public init?(name: String) {
            guard let index = Code.names.firstIndex(of: name) else { return nil }
            self.rawValue = Int32(index)
        }
    }

    public var code: Code
    public var message: String
    /// Encoded `google.protobuf.Any` messages of `google.rpc.Status.details`.
    public var details: [ErrorDetail]
    /// Trailing metadata the peer sent with the error (client side).
    public var metadata: Metadata
    /// What went wrong underneath, for the server's log; never sent to the
    /// client (neither in `grpc-message` nor in the details).
    public var cause: (any Error)?

    public init(
        _ code: Code, _ message: String, details: [ErrorDetail] = [], metadata: Metadata = Metadata(),
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.metadata = metadata
        self.cause = cause
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
            && lhs.metadata == rhs.metadata
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(details)
        hasher.combine(metadata)
    }

    public var description: String {
        var text = "\(code.name): \(message)"
        for detail in details { text += "\n  \(detail)" }
        return text
    }
}

/// One decoded entry of `google.rpc.Status.details`.
public enum ErrorDetail: Sendable, Hashable, CustomStringConvertible {
    /// `google.rpc.BadRequest.FieldViolation`: which request field is wrong and why.
    case fieldViolation(field: String, description: String, reason: String = "")
    /// `google.rpc.ErrorInfo`: a machine-readable reason and its metadata.
    case errorInfo(reason: String, domain: String, metadata: [String: String] = [:])
    /// `google.rpc.PreconditionFailure.Violation`.
    case preconditionViolation(type: String, subject: String, description: String)
    /// Any other `google.protobuf.Any`, kept as it came.
    case other(typeURL: String, value: [UInt8])

    public var description: String {
        switch self {
        case .fieldViolation(let field, let description, let reason):
            "field \(field): \(description)" + (reason.isEmpty ? "" : " [\(reason)]")
        case .errorInfo(let reason, let domain, let metadata):
            "reason \(reason) (\(domain))" + (metadata.isEmpty ? "" : " \(metadata.sorted { $0.key < $1.key })")
        case .preconditionViolation(let type, let subject, let description):
            "precondition \(type) \(subject): \(description)"
        case .other(let typeURL, let value):
            "\(typeURL) (\(value.count) bytes)"
        }
    }
}

extension RPCError {
    public static func invalidArgument(
        field: String, _ description: String, reason: String = "INVALID_FIELD"
    ) -> RPCError {
        RPCError(
            .invalidArgument, "\(field): \(description)",
            details: [.fieldViolation(field: field, description: description, reason: reason)])
    }

    /// All field violations carried by this error.
    public var fieldViolations: [(field: String, description: String)] {
        details.compactMap {
            if case .fieldViolation(let field, let description, _) = $0 { return (field, description) }
            return nil
        }
    }

    /// The `ErrorInfo.reason`, if any.
    public var reason: String? {
        for detail in details { if case .errorInfo(let reason, _, _) = detail { return reason } }
        return nil
    }
}
