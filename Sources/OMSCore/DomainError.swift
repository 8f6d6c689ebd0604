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

    public init(_ kind: Kind, _ message: String, violations: [FieldViolation] = [], reason: String? = nil) {
        self.kind = kind
        self.message = message
        self.violations = violations
        self.reason = reason
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

/// Collects field violations so a request reports all its problems at once.
public struct Validator {
    public private(set) var violations: [DomainError.FieldViolation] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ description: @autoclosure () -> String) {
        if !condition { violations.append(.init(field: field, description: description())) }
    }

    public func throwIfInvalid() throws(DomainError) {
        if !violations.isEmpty { throw DomainError.invalid(violations) }
    }
}
