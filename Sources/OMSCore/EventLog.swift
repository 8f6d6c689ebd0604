public import KeyValueStorage
public import OMSProto
import Synchronization

/// The global event feed: `events` keyed by big-endian sequence number.
///
/// Sequence numbers are allocated inside the write transaction from a
/// counter stored in `meta`, so a rolled-back command gives its number back
/// and the feed has no gaps. Watchers are woken after the batch is durable.
public final class EventLog: Sendable {
    static let counterName = "event_sequence"
    static let counterKey = Array(counterName.utf8)
    /// The oldest sequence not removed by retention (absent: 1).
    static let firstRetainedKey = Array("event_first_retained".utf8)

    private let families: ColumnFamilies
    private let engine: any KeyValueStore
    private let signal = Mutex<[Int: AsyncStream<UInt64>.Continuation]>([:])
    private let nextWatcher = Atomic<Int>(0)
    private let published = Atomic<UInt64>(0)

    init(engine: any KeyValueStore, families: ColumnFamilies) throws {
        self.engine = engine
        self.families = families
        published.store(try Self.lastSequence(engine, families), ordering: .relaxed)
    }

    /// Appends `event` (its sequence is assigned here) and returns it.
    @discardableResult
    public func append(_ event: Oms_V1_Event, to transaction: inout WriteTransaction) throws -> Oms_V1_Event {
        var event = event
        event.sequence = try MetaCounter.next(Self.counterName, transaction: &transaction, families: families)
        transaction.put(families.events, KeyCodec.encode(event.sequence), event.serializedBytes())
        return event
    }

    /// Called after a batch with events is durable: wakes watchers.
    public func didCommit(upTo sequence: UInt64) {
        var current = published.load(ordering: .relaxed)
        while current < sequence {
            let (exchanged, original) = published.compareExchange(
                expected: current, desired: sequence, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        let watchers = signal.withLock { Array($0.values) }
        for watcher in watchers { watcher.yield(sequence) }
    }

    /// The highest durable sequence.
    public var lastPublishedSequence: UInt64 { published.load(ordering: .relaxed) }

    /// Events with sequence > `after`, up to `limit`, from durable state.
    public func events(after: UInt64, limit: Int) throws -> [Oms_V1_Event] {
        let rows = try engine.scan(
            families.events, from: KeyCodec.encode(after &+ 1), to: nil, limit: limit)
        return try rows.map { try Oms_V1_Event(serializedBytes: $0.value) }
    }

    /// The oldest sequence still stored: 1 until retention removed events.
    public func firstRetainedSequence() throws -> UInt64 {
        guard let bytes = try engine.get(families.meta, Self.firstRetainedKey) else { return 1 }
        return try Self.decodeCounter(bytes)
    }

    /// Removes up to `limit` of the oldest events that occurred before
    /// `cutoffMillis`, through the single writer, and records the new oldest
    /// sequence in the same batch. Returns how many it removed; call again
    /// while it returns `limit`.
    func trim(olderThan cutoffMillis: Int64, writer: WriteCoordinator, limit: Int = 5000) async throws -> Int {
        let families = self.families
        return try await writer.perform { transaction in
            let rows = try transaction.scan(families.events, prefix: [], limit: limit)
            var removed = 0
            var next: UInt64?
            for row in rows {
                let event = try Oms_V1_Event(serializedBytes: row.value)
                guard event.occurredAtMillis < cutoffMillis else { break }
                transaction.delete(families.events, row.key)
                removed += 1
                next = event.sequence + 1
            }
            if let next { transaction.put(families.meta, Self.firstRetainedKey, KeyCodec.encode(next)) }
            return removed
        }
    }

    /// A stream of "something was committed" signals for one watcher.
    public func subscribe() -> (id: Int, signals: AsyncStream<UInt64>) {
        let (stream, continuation) = AsyncStream<UInt64>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = nextWatcher.add(1, ordering: .relaxed).newValue
        signal.withLock { $0[id] = continuation }
        return (id, stream)
    }

    public func unsubscribe(_ id: Int) {
        let continuation = signal.withLock { $0.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Ends every watcher (shutdown).
    public func finishAll() {
        let all = signal.withLock { state in
            defer { state.removeAll() }
            return Array(state.values)
        }
        for continuation in all { continuation.finish() }
    }

    static func lastSequence(_ engine: any KeyValueStore, _ families: ColumnFamilies) throws -> UInt64 {
        guard let bytes = try engine.get(families.meta, counterKey) else { return 0 }
        return try decodeCounter(bytes)
    }

    static func decodeCounter(_ bytes: [UInt8]) throws -> UInt64 {
        var reader = KeyCodec.Reader(bytes)
        return try reader.readUInt64()
    }
}
