public import OMSProto
import Synchronization

/// Bulk order entry (`ImportOrders`): many `CreateOrderRequest`s applied by
/// the `CreateOrder` command itself, each row its own writer command, so a
/// row that fails is rolled back alone and the others are applied.
///
/// Rows are submitted in chunks; the single writer commits whatever is queued
/// as one group (one batch, one fsync for up to `maxGroupCommands` rows), so a
/// chunk costs a few syncs instead of one per row. The next chunk is read from
/// the stream while the previous one is being written, and at most two chunks
/// are in flight, which bounds memory however long the stream is.
///
/// Unlike `CreateOrder`, a row may carry the order's historical placement
/// time in `order.created_at_millis` (0: now): a migration keeps its sales
/// history on the right report days (`CreateOrder.keepsPlacementTime`). It
/// must be positive and not in the future by the writer's clock. The payment
/// deadline counts from the import, not from that time, so importing old
/// unpaid orders does not cancel them all at once.
public struct OrderImport: Sendable {
    /// A row that was not applied: its position in the stream and the error
    /// `CreateOrder` would have answered with.
    public struct Failure: Sendable {
        public var index: Int
        public var requestID: String
        public var error: any Error
    }

    public struct Report: Sendable {
        public var received = 0
        public var created = 0
        public var failed = 0
        /// The first `maxListedFailures` failures, in stream order.
        public var failures: [Failure] = []
        public var firstOrderID = ""
        public var lastOrderID = ""
    }

    public static let defaultChunkSize = 1000
    public static let maxListedFailures = 1000

    let orders: Orders
    let chunkSize: Int

    public init(orders: Orders, chunkSize: Int = OrderImport.defaultChunkSize) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.orders = orders
        self.chunkSize = chunkSize
    }

    /// Applies every row of `rows` in order and returns once every applied
    /// row is durable. Throws only when the stream itself fails; rows already
    /// submitted are applied (and durable) even then.
    public func run<Rows: AsyncSequence>(_ rows: Rows, actor: String) async throws -> Report
    where Rows.Element == Oms_V1_CreateOrderRequest {
        var report = Report()
        var chunk: [Oms_V1_CreateOrderRequest] = []
        chunk.reserveCapacity(chunkSize)
        var inFlight: ChunkResults?
        do {
            for try await row in rows {
                chunk.append(row)
                if chunk.count == chunkSize {
                    let submitted = submit(chunk, firstIndex: report.received, actor: actor)
                    report.received += chunk.count
                    chunk.removeAll(keepingCapacity: true)
                    if let inFlight { await inFlight.wait().merge(into: &report) }
                    inFlight = submitted
                }
            }
        } catch {
            if let inFlight { _ = await inFlight.wait() }
            throw error
        }
        var last: ChunkResults?
        if !chunk.isEmpty {
            last = submit(chunk, firstIndex: report.received, actor: actor)
            report.received += chunk.count
        }
        if let inFlight { await inFlight.wait().merge(into: &report) }
        if let last { await last.wait().merge(into: &report) }
        return report
    }

    /// Queues every row of `chunk` on the writer (in order) without waiting.
    private func submit(_ chunk: [Oms_V1_CreateOrderRequest], firstIndex: Int, actor: String) -> ChunkResults {
        let results = ChunkResults(firstIndex: firstIndex, requests: chunk)
        let command = CreateOrder(policy: orders.policy, keepsPlacementTime: true)
        for (offset, request) in chunk.enumerated() {
            orders.store.enqueue(command, request, actor: actor) { results.record(offset, $0) }
        }
        return results
    }
}

/// The outcomes of one chunk's rows, filled in by writer completions (any
/// thread) and awaited by the importer.
private final class ChunkResults: Sendable {
    struct State {
        var outcomes: [Result<Oms_V1_CreateOrderResponse, any Error>?]
        var pending: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    struct Settled {
        let firstIndex: Int
        let requests: [Oms_V1_CreateOrderRequest]
        let outcomes: [Result<Oms_V1_CreateOrderResponse, any Error>?]

        func merge(into report: inout OrderImport.Report) {
            for (offset, outcome) in outcomes.enumerated() {
                switch outcome {
                case .success(let response)?:
                    report.created += 1
                    let id = response.order?.id ?? ""
                    if report.firstOrderID.isEmpty { report.firstOrderID = id }
                    report.lastOrderID = id
                case .failure(let error)?:
                    report.failed += 1
                    if report.failures.count < OrderImport.maxListedFailures {
                        report.failures.append(
                            .init(index: firstIndex + offset, requestID: requests[offset].requestID, error: error))
                    }
                case nil:
                    preconditionFailure("an import row settled without an outcome")
                }
            }
        }
    }

    let firstIndex: Int
    let requests: [Oms_V1_CreateOrderRequest]
    let state: Mutex<State>

    init(firstIndex: Int, requests: [Oms_V1_CreateOrderRequest]) {
        self.firstIndex = firstIndex
        self.requests = requests
        state = Mutex(State(outcomes: Array(repeating: nil, count: requests.count), pending: requests.count))
    }

    func record(_ offset: Int, _ outcome: Result<Oms_V1_CreateOrderResponse, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.outcomes[offset] = outcome
            state.pending -= 1
            guard state.pending == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once every row of the chunk has its outcome.
    func wait() async -> Settled {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.pending == 0 { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
        let outcomes = state.withLock { $0.outcomes }
        return Settled(firstIndex: firstIndex, requests: requests, outcomes: outcomes)
    }
}
