import KeyValueStorage
import OMSProto

/// `BulkAdjustStock`: a stream of AdjustStock rows. Each row is its own
/// `AdjustStock` command (so a bad row fails alone and never fails the
/// others: one that does not validate is refused before it is queued, one
/// that fails on the writer rolls back alone); rows are queued a chunk of
/// `Inventory.bulkChunkSize` at a time, which the writer groups into a few
/// durable batches, so 100k rows take seconds and memory stays bounded by
/// the chunk size.
///
/// With a `request_id` on the first row, row N is applied with the key
/// `<request_id>#<N>`: a retried stream skips the rows already applied and
/// reports the same outcome for them.
struct BulkAdjustment {
    static let maxRequestIDBytes = 100
    let store: OMSStore

    func run<Rows: AsyncSequence>(
        _ rows: Rows, actor: String
    ) async throws
        -> Oms_V1_BulkAdjustStockResponse where Rows.Element == Oms_V1_BulkAdjustStockRow
    {
        var response = Oms_V1_BulkAdjustStockResponse()
        var bulkID: String?
        var chunk: [(row: UInt64, request: Oms_V1_AdjustStockRequest)] = []
        var position: UInt64 = 0
        for try await row in rows {
            position += 1
            let number = row.rowNumber == 0 ? position : row.rowNumber
            if bulkID == nil {
                var validator = Validator()
                Idempotency.validate(row.requestID, into: &validator)
                validator.check(
                    row.requestID.utf8.count <= Self.maxRequestIDBytes, "request_id",
                    "must be at most \(Self.maxRequestIDBytes) bytes")
                try validator.throwIfInvalid()
                bulkID = row.requestID
            }
            var request = Oms_V1_AdjustStockRequest()
            request.requestID = bulkID!.isEmpty ? "" : "\(bulkID!)#\(number)"
            request.sku = row.sku
            request.warehouseCode = row.warehouseCode
            request.delta = row.delta
            request.reason = row.reason.isEmpty ? "bulk adjustment" : row.reason
            request.locationCode = row.locationCode
            chunk.append((number, request))
            if chunk.count == Inventory.bulkChunkSize {
                try await apply(chunk, actor: actor, into: &response)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { try await apply(chunk, actor: actor, into: &response) }
        response.rowsReceived = position
        response.rowsFailed = UInt64(response.failures.count)
        response.rowsApplied = position - response.rowsFailed
        response.failures.sort { $0.rowNumber < $1.rowNumber }
        return response
    }

    /// Queues the chunk's rows on the writer in row order (so a row sees the
    /// rows before it), then waits for every outcome. A row that fails as a
    /// `DomainError` (validation included) becomes its failure line; any
    /// other error fails the stream once every row has answered.
    private func apply(
        _ chunk: [(row: UInt64, request: Oms_V1_AdjustStockRequest)], actor: String,
        into response: inout Oms_V1_BulkAdjustStockResponse
    ) async throws {
        let (outcomes, continuation) = AsyncStream.makeStream(
            of: Result<Oms_V1_BulkAdjustStockFailure?, any Error>.self, bufferingPolicy: .unbounded)
        for (row, request) in chunk {
            store.enqueue(AdjustStock(), request, actor: actor) { result in
                switch result {
                case .success: continuation.yield(.success(nil))
                case .failure(let error as DomainError): continuation.yield(.success(Self.failure(row: row, error)))
                case .failure(let error): continuation.yield(.failure(error))
                }
            }
        }
        var pending = chunk.count
        var failures: [Oms_V1_BulkAdjustStockFailure] = []
        var firstError: (any Error)?
        for await outcome in outcomes {
            switch outcome {
            case .success(let failure): if let failure { failures.append(failure) }
            case .failure(let error): firstError = firstError ?? error
            }
            pending -= 1
            if pending == 0 { break }
        }
        continuation.finish()
        if let firstError { throw firstError }
        response.failures += failures
    }

    static func failure(row: UInt64, _ error: DomainError) -> Oms_V1_BulkAdjustStockFailure {
        var failure = Oms_V1_BulkAdjustStockFailure()
        failure.rowNumber = row
        failure.code =
            switch error.kind {
            case .invalidArgument: "INVALID_ARGUMENT"
            case .notFound: "NOT_FOUND"
            case .alreadyExists: "ALREADY_EXISTS"
            case .failedPrecondition: "FAILED_PRECONDITION"
            case .aborted: "ABORTED"
            case .permissionDenied: "PERMISSION_DENIED"
            case .resourceExhausted: "RESOURCE_EXHAUSTED"
            case .unavailable: "UNAVAILABLE"
            case .internalError: "INTERNAL"
            }
        failure.field = error.violations.first?.field ?? ""
        failure.message = error.message
        return failure
    }
}
