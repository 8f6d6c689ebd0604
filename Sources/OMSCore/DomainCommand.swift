import KeyValueStorage
import OMSProto

/// Runs a domain command on the single writer and
/// publishes its events once the batch is durable. The command returns its
/// response and the last event sequence it appended (0 when it appended
/// none, e.g. an idempotent replay).
enum DomainCommand {
    static func submit<Response: Sendable>(
        _ store: OMSStore, _ command: @escaping @Sendable (inout WriteTransaction) throws -> (Response, UInt64),
        completion: @escaping @Sendable (Result<Response, any Error>) -> Void
    ) {
        store.writer.submit(command) { result in
            switch result {
            case .success(let (response, sequence)):
                if sequence > 0 { store.events.didCommit(upTo: sequence) }
                completion(.success(response))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    static func perform<Response: Sendable>(
        _ store: OMSStore, _ command: @escaping @Sendable (inout WriteTransaction) throws -> (Response, UInt64)
    ) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            submit(store, command) { continuation.resume(with: $0) }
        }
    }
}
