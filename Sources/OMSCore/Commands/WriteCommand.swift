public import OMSProto

/// A write command, declared once: the RPC it serves, what it checks before
/// it is queued, and what it does on the single writer. The framework around
/// it (`OMSStore.run`) does the rest for every command alike: the
/// `request_id` replay or record, the event and audit rows (through
/// `CommandContext.record`), publishing the events once durable, and one
/// async entry point; OMSServer maps its `DomainError`s to gRPC statuses.
///
///     struct UpsertProduct: WriteCommand {
///         static let method = Oms_V1_CatalogService.Method.upsertProduct
///         func validate(_ request: Oms_V1_UpsertProductRequest, into validator: inout Validator) { … }
///         func apply(
///             _ request: Oms_V1_UpsertProductRequest, in context: inout CommandContext
///         ) throws -> Oms_V1_UpsertProductResponse {
///             context.transaction.put(context.families.products, key, product.serializedBytes())
///             try context.record("product.created", resource: "product", id: product.sku, payload: .product(product))
///             return .with { $0.product = product }
///         }
///     }
///     let response = try await store.run(UpsertProduct(), request, actor: "erp-sync")
public protocol WriteCommand: Sendable {
    associatedtype Request: ProtoMessage & Sendable
    associatedtype Response: ProtoMessage & Sendable

    /// The RPC this command serves (the generated descriptor): its path keys
    /// the command's idempotency records and names it in audit rows.
    static var method: ProtoMethod<Request, Response> { get }

    /// Checks everything that does not depend on stored state, before the
    /// request is queued: bad input is refused without touching the writer.
    /// Field problems go into `validator` (which already holds the
    /// `request_id`'s), so a request reports all of them at once; the
    /// framework throws them after this returns.
    func validate(_ request: Request, into validator: inout Validator) throws(DomainError)

    /// Runs the request against the current state on the single writer. May
    /// run more than once (when the engine asks for the write group to be
    /// retried), so it touches nothing but the context. What it throws rolls
    /// back everything it wrote.
    func apply(_ request: Request, in context: inout CommandContext) throws -> Response

    /// The request's idempotency key (`request_id`; empty: none).
    static func requestID(of request: Request) -> String

    /// What this run is replayed and recorded under: a retry with the same
    /// key must carry the same request. By default the request's encoding
    /// without its `request_id`; a command that carries part of what was
    /// asked itself (one chunk of a client stream, whose rows are the
    /// command's and not one message's) hashes that.
    func fingerprint(of request: Request) -> [UInt8]
}

extension WriteCommand where Request: IdempotentRequest {
    public static func requestID(of request: Request) -> String { request.requestID }

    public func fingerprint(of request: Request) -> [UInt8] {
        var canonical = request
        canonical.requestID = ""
        return Idempotency.fingerprint(canonical)
    }
}
