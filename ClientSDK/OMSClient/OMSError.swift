internal import RPC

/// The only error the OMS client SDK throws.
///
/// It mirrors a gRPC status: a ``Code`` (the gRPC status code), the server's
/// message and the rich details omsd sends in `grpc-status-details-bin`, so
/// callers can tell *which* request field or business rule failed:
///
/// ```swift
/// do {
///     _ = try await client.catalog.upsertProduct(product)
/// } catch where error.code == .invalidArgument {
///     for violation in error.fieldViolations {
///         print("\(violation.field): \(violation.description)")
///     }
/// }
/// ```
///
/// Connection problems (refused, lost, GOAWAY) are ``Code/unavailable``; a call
/// that outlives its timeout is ``Code/deadlineExceeded``; a cancelled task is
/// ``Code/cancelled``.
public struct OMSError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A gRPC status code (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
    ///
    /// The 17 codes are static members (``notFound``, ``unavailable``, ...);
    /// ``name`` is the canonical upper-case spelling such as `NOT_FOUND`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The numeric gRPC status code (0...16 for the known codes).
        public let rawValue: Int32

        /// A code from its numeric value; values outside 0...16 are kept as they are.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `OK` (0): not an error; never thrown.
        public static let ok = Code(rawValue: 0)
        /// `CANCELLED` (1): the caller cancelled the call (for example its `Task`).
        public static let cancelled = Code(rawValue: 1)
        /// `UNKNOWN` (2): an error with no better code.
        public static let unknown = Code(rawValue: 2)
        /// `INVALID_ARGUMENT` (3): the request is malformed; see ``OMSError/fieldViolations``.
        public static let invalidArgument = Code(rawValue: 3)
        /// `DEADLINE_EXCEEDED` (4): the call did not finish within its timeout.
        public static let deadlineExceeded = Code(rawValue: 4)
        /// `NOT_FOUND` (5): the requested record does not exist.
        public static let notFound = Code(rawValue: 5)
        /// `ALREADY_EXISTS` (6): the record exists, or a `request_id` was reused for a different request.
        public static let alreadyExists = Code(rawValue: 6)
        /// `PERMISSION_DENIED` (7): the token is valid but may not make this call.
        public static let permissionDenied = Code(rawValue: 7)
        /// `RESOURCE_EXHAUSTED` (8): a limit was hit (message size, quota).
        public static let resourceExhausted = Code(rawValue: 8)
        /// `FAILED_PRECONDITION` (9): the system is not in a state that allows the call.
        public static let failedPrecondition = Code(rawValue: 9)
        /// `ABORTED` (10): a concurrency conflict, e.g. an `expected_version` mismatch.
        public static let aborted = Code(rawValue: 10)
        /// `OUT_OF_RANGE` (11): a value is past the valid range.
        public static let outOfRange = Code(rawValue: 11)
        /// `UNIMPLEMENTED` (12): the server does not have this method.
        public static let unimplemented = Code(rawValue: 12)
        /// `INTERNAL` (13): a bug or broken invariant on either side.
        public static let internalError = Code(rawValue: 13)
        /// `UNAVAILABLE` (14): the server cannot be reached (refused, connection lost, shutting down).
        public static let unavailable = Code(rawValue: 14)
        /// `DATA_LOSS` (15): unrecoverable data loss or corruption.
        public static let dataLoss = Code(rawValue: 15)
        /// `UNAUTHENTICATED` (16): no token, or the token was rejected.
        public static let unauthenticated = Code(rawValue: 16)

        /// Every known code, `OK` through `UNAUTHENTICATED`.
        public static let allKnown: [Code] = (0...16).map { Code(rawValue: Int32($0)) }

        /// The canonical upper-case name, e.g. `INVALID_ARGUMENT`; `CODE_<n>` for unknown values.
        public var name: String {
            // The spelling table lives with the wire protocol, in RPC.
            RPCError.Code(rawValue: rawValue).name
        }

        /// The code from its canonical name such as `NOT_FOUND`; `nil` when the name is not a gRPC code.
        public init?(name: String) {
            guard let code = RPCError.Code(name: name) else { return nil }
            self.rawValue = code.rawValue
        }

        /// The canonical name (``name``).
        public var description: String { name }
    }

    /// One invalid request field (`google.rpc.BadRequest.FieldViolation`).
    public struct FieldViolation: Hashable, Sendable {
        /// The path of the field in the request, e.g. `product.sku`.
        public var field: String
        /// What is wrong with it, e.g. `must not be empty`.
        public var description: String
        /// A machine-readable reason when the server sent one, e.g. `REQUIRED`; empty otherwise.
        public var reason: String

        /// A violation of `field`.
        public init(field: String, description: String, reason: String = "") {
            self.field = field
            self.description = description
            self.reason = reason
        }
    }

    /// One failed precondition (`google.rpc.PreconditionFailure.Violation`).
    public struct PreconditionViolation: Hashable, Sendable {
        /// The kind of precondition, e.g. `VERSION`.
        public var type: String
        /// What it applies to, e.g. a SKU.
        public var subject: String
        /// How it failed.
        public var description: String

        /// A precondition violation.
        public init(type: String, subject: String, description: String) {
            self.type = type
            self.subject = subject
            self.description = description
        }
    }

    /// The gRPC status code.
    public var code: Code
    /// The human-readable message (`grpc-message`), as the server or the SDK wrote it.
    public var message: String
    /// The request fields the server rejected (empty unless it sent `google.rpc.BadRequest`).
    public var fieldViolations: [FieldViolation]
    /// The machine-readable `google.rpc.ErrorInfo.reason`, when the server sent one.
    public var reason: String?
    /// The `google.rpc.ErrorInfo.metadata` that came with ``reason`` (empty otherwise).
    public var reasonMetadata: [String: String]
    /// Failed preconditions the server listed (`google.rpc.PreconditionFailure`).
    public var preconditionViolations: [PreconditionViolation]

    /// An error with the given parts; the SDK builds these from the server's status.
    public init(
        code: Code, message: String, fieldViolations: [FieldViolation] = [], reason: String? = nil,
        reasonMetadata: [String: String] = [:], preconditionViolations: [PreconditionViolation] = []
    ) {
        self.code = code
        self.message = message
        self.fieldViolations = fieldViolations
        self.reason = reason
        self.reasonMetadata = reasonMetadata
        self.preconditionViolations = preconditionViolations
    }

    /// `CODE: message`, then one indented line per field violation.
    public var description: String {
        var text = "\(code.name): \(message)"
        for violation in fieldViolations { text += "\n  \(violation.field): \(violation.description)" }
        if let reason { text += "\n  reason: \(reason)" }
        return text
    }
}

extension OMSError {
    /// Converts whatever a lower layer threw into an `OMSError`.
    init(_ error: any Error) {
        switch error {
        case let error as OMSError:
            self = error
        case let error as RPCError:
            self.init(rpcError: error)
        case is CancellationError:
            self.init(code: .cancelled, message: "the call was cancelled")
        default:
            self.init(code: .unknown, message: "\(error)")
        }
    }

    init(rpcError error: RPCError) {
        var fieldViolations: [FieldViolation] = []
        var preconditions: [PreconditionViolation] = []
        var reason: String?
        var reasonMetadata: [String: String] = [:]
        for detail in error.details {
            switch detail {
            case .fieldViolation(let field, let description, let why):
                fieldViolations.append(FieldViolation(field: field, description: description, reason: why))
            case .errorInfo(let why, _, let metadata):
                if reason == nil {
                    reason = why
                    reasonMetadata = metadata
                }
            case .preconditionViolation(let type, let subject, let description):
                preconditions.append(PreconditionViolation(type: type, subject: subject, description: description))
            case .other:
                break
            }
        }
        self.init(
            code: Code(rawValue: error.code.rawValue), message: error.message, fieldViolations: fieldViolations,
            reason: reason, reasonMetadata: reasonMetadata, preconditionViolations: preconditions)
    }
}
