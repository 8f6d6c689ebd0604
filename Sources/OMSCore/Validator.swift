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
