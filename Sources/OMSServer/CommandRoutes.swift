import OMSCore
import RPC

extension Router {
    /// Serves a write command at its RPC (`Command.method`): the request goes
    /// from the event loop straight to the single writer (no task, no thread
    /// hop) and the call is answered once the command is durable, its
    /// failures mapped to gRPC statuses (a storage failure is logged once,
    /// with the method, the request id and the engine's full text).
    mutating func command<Command: WriteCommand>(_ command: Command, on store: OMSStore) {
        unary(Command.method) { request, context, responder in
            store.enqueue(command, request, actor: context.principal ?? "anonymous") { result in
                responder.complete(mapping: result, requestID: Command.requestID(of: request))
            }
        }
    }
}
