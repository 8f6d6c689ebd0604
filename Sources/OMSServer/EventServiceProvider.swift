import OMSCore
import OMSProto
import RPC

/// `oms.v1.EventService.WatchEvents`: history from the `events` family, then
/// live events, read back from durable state after each commit signal, so the
/// stream is in order with no gap or duplicate, and resumable by sequence. It
/// never ends by itself: only the client (by cancelling) or omsd's shutdown
/// (UNAVAILABLE, reason SHUTTING_DOWN) ends it.
struct EventServiceProvider {
    static let batchSize = 512

    /// How an open watch ends when omsd stops: UNAVAILABLE (not OK, which
    /// would read as "the feed is over"), naming the sequence to resume after,
    /// so a client reconnects to the next omsd and goes on without a gap.
    static func stopping(after sequence: UInt64) -> RPCError {
        RPCError(
            .unavailable, "omsd is shutting down; resume after sequence \(sequence)",
            details: [
                .errorInfo(
                    reason: "SHUTTING_DOWN", domain: ErrorMapping.domain,
                    metadata: ["last_sequence": String(sequence)])
            ])
    }

    let events: EventLog
    let reads: ReadPool

    func register(in router: inout Router) {
        let events = self.events
        let reads = self.reads
        router.serverStreaming(Oms_V1_EventService.Method.watchEvents) { request, writer, context in
            let prefixes = request.typePrefixes
            // A resume point inside the trimmed history would silently skip
            // events: refuse it. 0 means "from the oldest event still kept".
            let firstRetained = try await reads.run { try events.firstRetainedSequence() }
            if request.afterSequence > 0 && request.afterSequence + 1 < firstRetained {
                throw RPCError(
                    .outOfRange,
                    "events up to sequence \(firstRetained - 1) were removed by the retention policy; "
                        + "resume from sequence \(firstRetained - 1) or later after a full resync",
                    details: [
                        .errorInfo(
                            reason: "EVENTS_TRIMMED", domain: ErrorMapping.domain,
                            metadata: ["first_retained_sequence": String(firstRetained)])
                    ])
            }
            let (id, signals) = events.subscribe()
            defer { events.unsubscribe(id) }
            var cursor = request.afterSequence
            var signalIterator = signals.makeAsyncIterator()
            while !context.isCancelled {
                let after = cursor
                let batch = try await reads.run { try events.events(after: after, limit: Self.batchSize) }
                if let last = batch.last { cursor = last.sequence }
                let selected =
                    prefixes.isEmpty ? batch : batch.filter { event in prefixes.contains { event.type.hasPrefix($0) } }
                if !selected.isEmpty { try await writer.write(contentsOf: selected) }
                if batch.count == Self.batchSize { continue }
                // Caught up: wait for the next commit (or the end of the server).
                if cursor >= events.lastPublishedSequence {
                    guard await signalIterator.next() != nil else {
                        if context.isCancelled { return }
                        throw Self.stopping(after: cursor)
                    }
                }
            }
        }
    }
}
