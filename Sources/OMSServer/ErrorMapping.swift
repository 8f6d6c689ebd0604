public import OMSCore
public import RPC

/// Turns domain failures into gRPC statuses with details.
public enum ErrorMapping {
    public static let domain = "oms.v1"

    /// An `RPCError` passes through; anything else becomes the status of its
    /// `DomainError` (storage and other failures: UNAVAILABLE or INTERNAL with a
    /// clean message, see `DomainError.describing`).
    ///
    /// What failed underneath stays in the status's `cause` (never sent): the
    /// RPC layer logs it once, with the method, when the call ends. For a
    /// command, `requestID` is logged with it.
    public static func rpcError(_ error: any Error, requestID: String = "") -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "call cancelled") }
        return rpcError(DomainError.describing(error), requestID: requestID)
    }

    public static func rpcError(_ error: DomainError, requestID: String = "") -> RPCError {
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
        let cause = error.cause.map { requestID.isEmpty ? $0 : CommandFailure(requestID: requestID, underlying: $0) }
        return RPCError(code, error.message, details: details, cause: cause)
    }
}

/// The cause of a failed command as it is logged: its request id, then the
/// underlying error's full text.
struct CommandFailure: Error, CustomStringConvertible, CustomDebugStringConvertible {
    let requestID: String
    let underlying: any Error

    var description: String { "request_id \(requestID): \(String(reflecting: underlying))" }
    var debugDescription: String { description }
}

extension UnaryResponder {
    /// Completes with a domain result, mapping failures to gRPC statuses.
    func complete(mapping result: Result<Response, any Error>, requestID: String = "") {
        switch result {
        case .success(let response): succeed(response)
        case .failure(let error): fail(ErrorMapping.rpcError(error, requestID: requestID))
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
