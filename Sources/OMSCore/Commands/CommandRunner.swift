public import KeyValueStorage

/// Runs `WriteCommand`s: the one framework every write goes through.
///
/// A command is validated on the caller's thread (with its `request_id`),
/// then queued on the single writer, where the stored response of an earlier
/// run with the same `request_id` is replayed (a different request with the
/// same key is ALREADY_EXISTS), or the command applies and its response is
/// recorded in the same batch. Once the batch is durable, event watchers are
/// woken and the caller gets the response.
extension OMSStore {
    /// Runs `command` and returns its response once it is durable.
    public func run<Command: WriteCommand>(
        _ command: Command, _ request: Command.Request, actor: String
    ) async throws -> Command.Response {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(command, request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    /// `run` without a task, for callers that answer from a callback (the RPC
    /// layer on its event loop) or queue many commands at once (bulk imports,
    /// whose rows the writer then commits in a few groups). `completion` runs
    /// on the writer thread (or at once, for a request that fails validation)
    /// and must not block.
    public func enqueue<Command: WriteCommand>(
        _ command: Command, _ request: Command.Request, actor: String,
        completion: @escaping @Sendable (Result<Command.Response, any Error>) -> Void
    ) {
        let requestID = Command.requestID(of: request)
        do {
            var validator = Validator()
            Idempotency.validate(requestID, into: &validator)
            try command.validate(request, into: &validator)
            try validator.throwIfInvalid()
        } catch {
            return completion(.failure(error))
        }
        let store = self
        let method = Command.method.path
        writer.submit(
            { transaction -> (Command.Response, UInt64) in
                let record = requestID.isEmpty ? nil : IdempotencyKey(method: method, requestID: requestID)
                var fingerprint: [UInt8] = []
                if let record {
                    fingerprint = command.fingerprint(of: request)
                    if let replay = try record.replay(
                        transaction, families: store.families, fingerprint: fingerprint, as: Command.Response.self)
                    {
                        return (replay, 0)
                    }
                }
                var context = CommandContext(
                    transaction: transaction, actor: actor, requestID: requestID, method: method, store: store)
                let response = try command.apply(request, in: &context)
                transaction = context.transaction
                record?.record(
                    &transaction, families: store.families, fingerprint: fingerprint, response: response,
                    nowMillis: context.nowMillis)
                return (response, context.lastEventSequence)
            },
            completion: { result in
                switch result {
                case .success(let (response, sequence)):
                    if sequence > 0 { store.events.didCommit(upTo: sequence) }
                    completion(.success(response))
                case .failure(let error):
                    completion(.failure(error))
                }
            })
    }

    /// Runs one of the daemon's own jobs (timers, schedules, retention) on the
    /// single writer, recording its changes like a command's (the actor is
    /// `omsd`, `job` names it in audit rows), and returns once it is durable.
    public func runJob<Result: Sendable>(
        _ job: String, actor: String = "omsd", _ body: @escaping @Sendable (inout CommandContext) throws -> Result
    ) async throws -> Result {
        let store = self
        let (result, sequence) = try await writer.perform { transaction -> (Result, UInt64) in
            var context = CommandContext(
                transaction: transaction, actor: actor, requestID: "", method: job, store: store)
            let result = try body(&context)
            transaction = context.transaction
            return (result, context.lastEventSequence)
        }
        if sequence > 0 { events.didCommit(upTo: sequence) }
        return result
    }
}
