import OMSCore
import OMSProto
import RPC

/// `oms.v1.EventService.WatchEvents`: history from the `events` family, then
/// live events, read back from durable state after each commit signal, so the
/// stream is in order with no gap or duplicate, and resumable by sequence.
struct EventServiceProvider {
    static let batchSize = 512

    let events: EventLog

    func register(in router: inout Router) {
        let events = self.events
        router.serverStreaming(Oms_V1_EventService.Method.watchEvents) { request, writer, context in
            let prefixes = request.typePrefixes
            let (id, signals) = events.subscribe()
            defer { events.unsubscribe(id) }
            var cursor = request.afterSequence
            var signalIterator = signals.makeAsyncIterator()
            while !context.isCancelled {
                let batch = try events.events(after: cursor, limit: Self.batchSize)
                if let last = batch.last { cursor = last.sequence }
                let selected =
                    prefixes.isEmpty ? batch : batch.filter { event in prefixes.contains { event.type.hasPrefix($0) } }
                if !selected.isEmpty { try await writer.write(contentsOf: selected) }
                if batch.count == Self.batchSize { continue }
                // Caught up: wait for the next commit (or the end of the server).
                if cursor >= events.lastPublishedSequence {
                    guard await signalIterator.next() != nil else { return }
                }
            }
        }
    }
}
