import KeyValueStorage
import OMSProto

/// The shape every inventory command shares: validate the request (bad
/// input changes nothing), run it on the single writer, replay or record
/// its `request_id` in the same transaction.
enum InventoryCommand {
    static func submit<Request: Sendable, Response: Sendable>(
        _ store: OMSStore, _ request: Request, validate: (Request) throws(DomainError) -> Void,
        apply: @escaping @Sendable (inout WriteTransaction) throws -> (Response, UInt64),
        completion: @escaping @Sendable (Result<Response, any Error>) -> Void
    ) {
        do {
            try validate(request)
        } catch {
            return completion(.failure(error))
        }
        DomainCommand.submit(store, apply, completion: completion)
    }

    /// Replays a stored response for `requestID`, or runs `body` and records
    /// its response. `canonical` is the request with `request_id` cleared.
    static func idempotent<Request: ProtoMessage, Response: ProtoMessage>(
        method: String, requestID: String, canonical: Request, families: ColumnFamilies,
        transaction: inout WriteTransaction, _ body: (inout WriteTransaction) throws -> (Response, UInt64)
    ) throws -> (Response, UInt64) {
        if let replay = try Idempotency.replay(
            transaction, families: families, method: method, requestID: requestID, request: canonical,
            as: Response.self)
        {
            return (replay, 0)
        }
        let (response, sequence) = try body(&transaction)
        Idempotency.record(
            &transaction, families: families, method: method, requestID: requestID, request: canonical,
            response: response, nowMillis: transaction.now / 1_000_000)
        return (response, sequence)
    }

    /// Approval rule shared by transfers and scrap: nobody decides their own request.
    static func requireOtherThanRequester(_ actor: String, requestedBy: String, what: String) throws {
        guard actor != requestedBy else {
            throw DomainError(
                .permissionDenied, "\(actor) requested this \(what) and cannot also approve or reject it",
                reason: "SELF_APPROVAL")
        }
    }
}
