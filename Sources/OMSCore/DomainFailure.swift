public import KeyValueStorage

extension DomainError {
    /// Any error of a domain command or query as a `DomainError`: rule
    /// violations pass through; a storage failure becomes UNAVAILABLE while
    /// the store is shutting down and INTERNAL otherwise, with a message that
    /// names no internals and the failure itself kept as `cause` (for the
    /// log); anything else is an INTERNAL error with its cause.
    public static func describing(_ error: any Error) -> DomainError {
        switch error {
        case let error as DomainError:
            return error
        case let error as StorageError where error.code == .closed || error.code == .shutdownInProgress:
            return DomainError(.unavailable, "server is shutting down", cause: error)
        case let error as StorageError:
            return DomainError(.internalError, "storage error", cause: error)
        default:
            return DomainError(.internalError, "internal error", cause: error)
        }
    }
}
