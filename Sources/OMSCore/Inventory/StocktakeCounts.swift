import KeyValueStorage
public import OMSProto

// `RecordCounts`: a stream of counts for one stocktake (named, with the
// stream's `request_id`, by the first count), recorded a chunk of
// `Inventory.bulkChunkSize` counts per command. A bad count (out of scope,
// negative, an unknown location) is reported with its row number and
// skipped; an unknown or committed stocktake fails the stream. With a
// `request_id`, chunk N is recorded under the key `<request_id>#<N>`, so a
// retried stream records each chunk once and reports the same outcome.

/// The client-streaming side of `RecordCounts`: reads the counts, commits them a chunk at a time.
struct StocktakeCounts {
    let store: OMSStore

    func record<Counts: AsyncSequence>(
        _ counts: Counts, actor: String
    ) async throws
        -> Oms_V1_RecordCountsResponse where Counts.Element == Oms_V1_StocktakeCount
    {
        var response = Oms_V1_RecordCountsResponse()
        var chunk: [(row: UInt64, count: Oms_V1_StocktakeCount)] = []
        var position: UInt64 = 0
        // What the chunks are recorded under: the stocktake and the chunk's key.
        var header = Oms_V1_StocktakeCount()
        var requestID = ""
        var chunkIndex = 0
        func flush(_ chunk: [(row: UInt64, count: Oms_V1_StocktakeCount)]) async throws {
            chunkIndex += 1
            header.requestID = requestID.isEmpty ? "" : "\(requestID)#\(chunkIndex)"
            let result = try await store.run(RecordCountsChunk(rows: chunk), header, actor: actor)
            response.countsRecorded += result.countsRecorded
            response.failures += result.failures
        }
        for try await count in counts {
            position += 1
            if position == 1 {
                var validator = Validator()
                validator.check(!count.stocktakeID.isEmpty, "stocktake_id", "must not be empty")
                Idempotency.validate(count.requestID, into: &validator)
                validator.check(count.requestID.utf8.count <= 100, "request_id", "must be at most 100 bytes")
                try validator.throwIfInvalid()
                header.stocktakeID = count.stocktakeID
                requestID = count.requestID
            }
            chunk.append((count.rowNumber == 0 ? position : count.rowNumber, count))
            if chunk.count == Inventory.bulkChunkSize {
                try await flush(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { try await flush(chunk) }
        response.countsReceived = position
        return response
    }
}

/// One chunk of a `RecordCounts` stream, recorded as one command: the
/// request is the chunk's header (the stocktake's id and the chunk's
/// `request_id`), the counts are the command's.
struct RecordCountsChunk: WriteCommand {
    static let method = Oms_V1_InventoryService.Method.recordCounts
    let rows: [(row: UInt64, count: Oms_V1_StocktakeCount)]

    /// Each count is checked in `apply`, where a bad one is reported and
    /// skipped rather than failing the chunk.
    func validate(_ header: Oms_V1_StocktakeCount, into validator: inout Validator) {}

    /// The chunk's identity: how many counts and what each says, by row.
    func fingerprint(of header: Oms_V1_StocktakeCount) -> [UInt8] {
        var identity = Oms_V1_RecordCountsResponse()
        identity.countsReceived = UInt64(rows.count)
        identity.failures = rows.map {
            var row = Oms_V1_BulkAdjustStockFailure()
            row.rowNumber = $0.row
            row.message = "\($0.count.sku)@\($0.count.locationCode)=\($0.count.countedQuantity)"
            return row
        }
        return Idempotency.fingerprint(identity)
    }

    func apply(
        _ header: Oms_V1_StocktakeCount, in context: inout CommandContext
    ) throws -> Oms_V1_RecordCountsResponse {
        let families = context.families
        let id = header.stocktakeID
        var stocktake = try Oms_V1_Stocktake.stored(id, context.transaction, families: families, field: "stocktake_id")
        guard stocktake.status == .counting else {
            throw DomainError(
                .failedPrecondition, "stocktake \(id) is committed; counts are closed", reason: "STOCKTAKE_STATUS")
        }
        var index: [String: Int] = [:]
        for (slot, line) in stocktake.lines.enumerated() { index["\(line.sku)@\(line.locationCode)"] = slot }
        var response = Oms_V1_RecordCountsResponse()
        for (row, count) in rows {
            func fail(_ field: String, _ message: String, _ code: String = "INVALID_ARGUMENT") {
                var failure = Oms_V1_BulkAdjustStockFailure()
                failure.rowNumber = row
                failure.code = code
                failure.field = field
                failure.message = message
                response.failures.append(failure)
            }
            var validator = Validator()
            validator.checkSKU(count.sku, "sku")
            if !count.locationCode.isEmpty {
                validator.checkCode(count.locationCode, "location_code")
            }
            validator.check(count.countedQuantity >= 0, "counted_quantity", "must not be negative")
            validator.check(
                count.stocktakeID.isEmpty || count.stocktakeID == id, "stocktake_id", "must be the stream's stocktake")
            if let violation = validator.violations.first {
                fail(violation.field, violation.description)
                continue
            }
            guard stocktake.inScope(sku: count.sku, location: count.locationCode) else {
                fail(
                    "sku", "\(count.sku) at '\(count.locationCode)' is outside the stocktake's scope",
                    "FAILED_PRECONDITION")
                continue
            }
            if !count.locationCode.isEmpty,
                try context.transaction.get(
                    families.stock,
                    StockLedger.locationKey(warehouse: stocktake.warehouseCode, code: count.locationCode)) == nil
            {
                fail("location_code", "unknown location", "FAILED_PRECONDITION")
                continue
            }
            let key = "\(count.sku)@\(count.locationCode)"
            let slot: Int
            if let existing = index[key] {
                slot = existing
            } else {
                // Found where the snapshot expected nothing.
                var line = Oms_V1_StocktakeLine()
                line.sku = count.sku
                line.locationCode = count.locationCode
                stocktake.lines.append(line)
                slot = stocktake.lines.count - 1
                index[key] = slot
            }
            let now = try StockLedger.locationStock(
                context.transaction, families: families, sku: count.sku, warehouse: stocktake.warehouseCode,
                location: count.locationCode
            ).onHand
            var line = stocktake.lines[slot]
            line.counted = true
            line.countedQuantity = count.countedQuantity
            line.expectedAtCount = now
            line.movementsDuringCount = now - line.snapshotQuantity
            line.variance = count.countedQuantity - now
            stocktake.lines[slot] = line
            response.countsRecorded += 1
        }
        _ = try stocktake.save(moves: [], event: "stocktake.counted", in: &context)
        return response
    }
}

/// A count's `request_id` (read from the stream's first count) keys the stream.
extension Oms_V1_StocktakeCount: IdempotentRequest {}
