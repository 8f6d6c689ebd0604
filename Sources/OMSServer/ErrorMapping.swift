public import OMSCore
public import RPC

/// Turns domain failures into gRPC statuses with details.
public enum ErrorMapping {
    public static let domain = "oms.v1"

    /// An `RPCError` passes through; anything else becomes the status of its
    /// `DomainError` (storage and other failures: UNAVAILABLE or INTERNAL with a
    /// clean message, see `DomainError.describing`).
    public static func rpcError(_ error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "call cancelled") }
        return rpcError(DomainError.describing(error))
    }

    public static func rpcError(_ error: DomainError) -> RPCError {
        let code: RPCError.Code
        switch error.kind {
        case .invalidArgument: code = .invalidArgument
        case .notFound: code = .notFound
        case .alreadyExists: code = .alreadyExists
        case .failedPrecondition: code = .failedPrecondition
        case .aborted: code = .aborted
        case .permissionDenied: code = .permissionDenied
        case .resourceExhausted: code = .resourceExhausted
        case .unavailable: code = .unavailable
        case .internalError: code = .internalError
        }
        var details: [ErrorDetail] = error.violations.map {
            .fieldViolation(field: $0.field, description: $0.description, reason: "INVALID_FIELD")
        }
        if let reason = error.reason {
            details.append(.errorInfo(reason: reason, domain: domain))
        }
        return RPCError(code, error.message, details: details)
    }
}

extension UnaryResponder {
    /// Completes with a domain result, mapping failures to gRPC statuses.
    func complete(mapping result: Result<Response, any Error>) {
        switch result {
        case .success(let response): succeed(response)
        case .failure(let error): fail(ErrorMapping.rpcError(error))
        }
    }

    /// Runs a synchronous query on the event loop and answers with its result.
    func answer(_ body: () throws -> Response) {
        do {
            succeed(try body())
        } catch {
            fail(ErrorMapping.rpcError(error))
        }
    }
}
