import OMSCore
public import OMSProto
import RPC

extension Router {
    /// A read of one key, measured to cost microseconds: answered on the
    /// event loop, with no thread hop.
    mutating func pointRead<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ body: @escaping @Sendable (Request) throws -> Response
    ) {
        unary(method) { request, _, responder in
            responder.answer { try body(request) }
        }
    }

    /// A read that iterates: it runs on the read pool and answers from there
    /// (the response is encoded on the pool thread, then handed to the
    /// connection's event loop). A call already cancelled or past its
    /// deadline when its turn comes is not run.
    mutating func scan<Request, Response>(
        _ method: ProtoMethod<Request, Response>, on pool: ReadPool,
        _ body: @escaping @Sendable (Request) throws -> Response
    ) {
        unary(method) { request, context, responder in
            pool.submit { active in
                guard active else { return responder.fail(RPCError(.unavailable, "server is shutting down")) }
                guard !context.isCancelled else { return responder.fail(RPCError(.cancelled, "call cancelled")) }
                responder.answer { try body(request) }
            }
        }
    }
}
