/// Why a domain command or query was refused. Transport-neutral: OMSServer
/// maps each kind to its gRPC status.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case invalidArgument, notFound, alreadyExists, failedPrecondition, aborted, permissionDenied,
            resourceExhausted, unavailable, internalError
    }

    public struct FieldViolation: Sendable, Hashable {
        public var field: String
        public var description: String
        public init(field: String, description: String) {
            self.field = field
            self.description = description
        }
    }

    public var kind: Kind
    public var message: String
    public var violations: [FieldViolation]
    /// A stable machine-readable reason (`VERSION_MISMATCH`, `SKU_EXISTS`, ...).
    public var reason: String?
    /// What failed underneath (a storage engine's error, say), kept for the
    /// log and never shown to clients. Not part of equality.
    public var cause: (any Error)?

    public init(
        _ kind: Kind, _ message: String, violations: [FieldViolation] = [], reason: String? = nil,
        cause: (any Error)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.violations = violations
        self.reason = reason
        self.cause = cause
    }

    public static func == (lhs: DomainError, rhs: DomainError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.violations == rhs.violations
            && lhs.reason == rhs.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(message)
        hasher.combine(violations)
        hasher.combine(reason)
    }

    public static func invalid(_ violations: [FieldViolation]) -> DomainError {
        let summary = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return DomainError(.invalidArgument, summary, violations: violations, reason: "INVALID_ARGUMENT")
    }

    public static func invalid(field: String, _ description: String) -> DomainError {
        invalid([FieldViolation(field: field, description: description)])
    }

    public var description: String { "\(kind): \(message)" }
}
