import KeyValueStorage
public import OMSProto

/// Stocktaking. Start snapshots the expected on-hand of the scope; each
/// count is compared with the on-hand at the moment it is recorded (so
/// movements during the count are accounted for); commit adds each
/// variance to the current on-hand as a STOCKTAKE ledger row (so movements
/// after the count are kept, never overwritten). Lines never counted are
/// left alone.
extension Inventory {
    public static let startStocktakeMethod = "/oms.v1.InventoryService/StartStocktake"
    public static let recordCountsMethod = "/oms.v1.InventoryService/RecordCounts"
    public static let commitStocktakeMethod = "/oms.v1.InventoryService/CommitStocktake"
    static let maxStocktakeLines = 100_000

    public static func validate(_ request: Oms_V1_StartStocktakeRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkCode(request.warehouseCode, "warehouse_code")
        for (index, code) in request.locationCodes.enumerated() where !code.isEmpty {
            validator.checkCode(code, "location_codes[\(index)]")
        }
        for (index, sku) in request.skus.enumerated() {
            validator.checkSKU(sku, "skus[\(index)]")
        }
        try validator.throwIfInvalid()
    }

    public func startStocktake(
        _ request: Oms_V1_StartStocktakeRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_StocktakeResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request, validate: Self.validate,
            apply: { try Self.applyStartStocktake(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    static func applyStartStocktake(
        _ request: Oms_V1_StartStocktakeRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_StocktakeResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: startStocktakeMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            try requireWarehouse(transaction, families: families, request.warehouseCode, field: "warehouse_code")
            for (index, code) in request.locationCodes.enumerated() {
                try StockLedger.requireLocation(
                    transaction, families: families, warehouse: request.warehouseCode, code: code,
                    field: "location_codes[\(index)]")
            }
            var stocktake = Oms_V1_Stocktake()
            stocktake.warehouseCode = request.warehouseCode
            stocktake.locationCodes = request.locationCodes
            stocktake.skus = request.skus
            let rows = try transaction.scan(
                families.stock, prefix: StockLedger.placePrefix(warehouse: request.warehouseCode), limit: Int.max)
            for row in rows {
                let stock = try Oms_V1_LocationStock(serializedBytes: row.value)
                guard stock.onHand != 0, inScope(stocktake, sku: stock.sku, location: stock.locationCode) else {
                    continue
                }
                var line = Oms_V1_StocktakeLine()
                line.sku = stock.sku
                line.locationCode = stock.locationCode
                line.snapshotQuantity = stock.onHand
                stocktake.lines.append(line)
            }
            guard stocktake.lines.count <= maxStocktakeLines else {
                throw DomainError(
                    .failedPrecondition,
                    "the scope holds \(stocktake.lines.count) lines; narrow it to \(maxStocktakeLines)",
                    reason: "STOCKTAKE_TOO_LARGE")
            }
            let now = transaction.now / 1_000_000
            let number = try MetaCounter.next("stocktake_id_sequence", transaction: &transaction, families: families)
            stocktake.id = SortableID.make(prefix: "stk_", millis: now, sequence: number)
            stocktake.status = .counting
            stocktake.startedBy = actor
            stocktake.startedAtMillis = now
            return try saveStocktake(
                &stocktake, moves: [], event: "stocktake.started", method: startStocktakeMethod,
                requestID: request.requestID, actor: actor, store: store, transaction: &transaction)
        }
    }

    static func inScope(_ stocktake: Oms_V1_Stocktake, sku: String, location: String) -> Bool {
        (stocktake.skus.isEmpty || stocktake.skus.contains(sku))
            && (stocktake.locationCodes.isEmpty || stocktake.locationCodes.contains(location))
    }

    static func saveStocktake(
        _ stocktake: inout Oms_V1_Stocktake, moves: [Oms_V1_StockMove], event: String?, method: String,
        requestID: String, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_StocktakeResponse, UInt64) {
        stocktake.version += 1
        transaction.put(store.families.stock, StockLedger.stocktakeKey(stocktake.id), stocktake.serializedBytes())
        var sequence: UInt64 = 0
        if let event {
            sequence = try ChangeRecord.append(
                store: store, transaction: &transaction, type: event, resourceType: "stocktake",
                resourceID: stocktake.id, actor: actor, requestID: requestID, method: method, payload: nil)
        }
        var response = Oms_V1_StocktakeResponse()
        response.stocktake = stocktake
        response.moves = moves
        return (response, sequence)
    }

    static func loadStocktake(
        _ transaction: WriteTransaction, families: ColumnFamilies, id: String, field: String
    )
        throws -> Oms_V1_Stocktake
    {
        guard let bytes = try transaction.get(families.stock, StockLedger.stocktakeKey(id)) else {
            throw DomainError(
                .notFound, "stocktake \(id) not found",
                violations: [.init(field: field, description: "unknown stocktake")], reason: "STOCKTAKE_NOT_FOUND")
        }
        return try Oms_V1_Stocktake(serializedBytes: bytes)
    }

    /// Records a stream of counts, a chunk per writer command. A bad count
    /// (unknown stocktake, out of scope, negative) is reported and skipped.
    public func recordCounts<Counts: AsyncSequence>(
        _ counts: Counts, actor: String
    ) async throws
        -> Oms_V1_RecordCountsResponse where Counts.Element == Oms_V1_StocktakeCount
    {
        var response = Oms_V1_RecordCountsResponse()
        var chunk: [(row: UInt64, count: Oms_V1_StocktakeCount)] = []
        var position: UInt64 = 0
        var stocktakeID = ""
        var requestID = ""
        var chunkIndex = 0
        let store = self.store
        func flush(_ chunk: [(row: UInt64, count: Oms_V1_StocktakeCount)]) async throws {
            chunkIndex += 1
            let key = requestID.isEmpty ? "" : "\(requestID)#\(chunkIndex)"
            let (id, rows) = (stocktakeID, chunk)
            // The chunk's identity for the request_id fingerprint.
            var identity = Oms_V1_RecordCountsResponse()
            identity.countsReceived = UInt64(rows.count)
            identity.failures = rows.map {
                var row = Oms_V1_BulkAdjustStockFailure()
                row.rowNumber = $0.row
                row.message = "\($0.count.sku)@\($0.count.locationCode)=\($0.count.countedQuantity)"
                return row
            }
            let canonical = identity
            let result: Oms_V1_RecordCountsResponse = try await DomainCommand.perform(store) { transaction in
                try InventoryCommand.idempotent(
                    method: Self.recordCountsMethod, requestID: key, canonical: canonical, families: store.families,
                    transaction: &transaction
                ) { transaction in
                    try Self.applyCounts(
                        id: id, rows, requestID: key, actor: actor, store: store, transaction: &transaction)
                }
            }
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
                stocktakeID = count.stocktakeID
                requestID = count.requestID
            }
            chunk.append((count.rowNumber == 0 ? position : count.rowNumber, count))
            if chunk.count == Self.bulkChunkSize {
                try await flush(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { try await flush(chunk) }
        response.countsReceived = position
        return response
    }

    static func applyCounts(
        id: String, _ rows: [(row: UInt64, count: Oms_V1_StocktakeCount)], requestID: String, actor: String,
        store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_RecordCountsResponse, UInt64) {
        let families = store.families
        var stocktake = try loadStocktake(transaction, families: families, id: id, field: "stocktake_id")
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
            guard inScope(stocktake, sku: count.sku, location: count.locationCode) else {
                fail(
                    "sku", "\(count.sku) at '\(count.locationCode)' is outside the stocktake's scope",
                    "FAILED_PRECONDITION")
                continue
            }
            if !count.locationCode.isEmpty,
                try transaction.get(
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
                transaction, families: families, sku: count.sku, warehouse: stocktake.warehouseCode,
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
        let (_, sequence) = try saveStocktake(
            &stocktake, moves: [], event: "stocktake.counted", method: recordCountsMethod, requestID: requestID,
            actor: actor, store: store, transaction: &transaction)
        return (response, sequence)
    }

    /// The stocktake with each line's variance valued at the current average cost.
    public func stocktakeVariance(id: String) throws -> Oms_V1_StocktakeResponse {
        guard !id.isEmpty else { throw DomainError.invalid(field: "id", "must not be empty") }
        let snapshot = try store.engine.readView()
        guard let bytes = try snapshot.get(store.families.stock, StockLedger.stocktakeKey(id))
        else {
            throw DomainError(
                .notFound, "stocktake \(id) not found",
                violations: [.init(field: "id", description: "unknown stocktake")],
                reason: "STOCKTAKE_NOT_FOUND")
        }
        var stocktake = try Oms_V1_Stocktake(serializedBytes: bytes)
        for index in stocktake.lines.indices {
            let sku = stocktake.lines[index].sku
            if let cost = try snapshot.get(store.families.stock, StockLedger.skuCostKey(sku)) {
                let average = try Oms_V1_SkuCost(serializedBytes: cost)
                let (value, overflow) = stocktake.lines[index].variance.multipliedReportingOverflow(
                    by: average.averageCostMinor)
                stocktake.lines[index].varianceValueMinor = overflow ? 0 : value
                stocktake.lines[index].currencyCode = average.currencyCode
            }
        }
        var response = Oms_V1_StocktakeResponse()
        response.stocktake = stocktake
        return response
    }

    public func commitStocktake(
        _ request: Oms_V1_CommitStocktakeRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_StocktakeResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in try Self.validateDecision(requestID: r.requestID, id: r.id) },
            apply: { try Self.applyCommitStocktake(request, actor: actor, store: store, transaction: &$0) },
            completion: completion)
    }

    static func applyCommitStocktake(
        _ request: Oms_V1_CommitStocktakeRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_StocktakeResponse, UInt64) {
        var canonical = request
        canonical.requestID = ""
        let families = store.families
        return try InventoryCommand.idempotent(
            method: commitStocktakeMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var stocktake = try loadStocktake(transaction, families: families, id: request.id, field: "id")
            guard stocktake.status == .counting else {
                throw DomainError(
                    .failedPrecondition, "stocktake \(request.id) is already committed", reason: "STOCKTAKE_STATUS")
            }
            var moves: [Oms_V1_StockMove] = []
            for (index, line) in stocktake.lines.enumerated() where line.counted && line.variance != 0 {
                let result = try StockLedger.applyAll(
                    &transaction, families: families, sku: line.sku, warehouse: stocktake.warehouseCode,
                    location: line.locationCode, kind: .stocktake, onHandDelta: line.variance, reservedDelta: 0,
                    reason:
                        "stocktake \(stocktake.id): counted \(line.countedQuantity), expected \(line.expectedAtCount)",
                    requestID: request.requestID, reference: "stocktake:\(stocktake.id)", actor: actor)
                moves += result.moves
                stocktake.lines[index].varianceValueMinor = result.moves.reduce(0) { $0 + $1.valueDeltaMinor }
                stocktake.lines[index].currencyCode = result.moves.last?.currencyCode ?? ""
            }
            stocktake.status = .committed
            stocktake.committedBy = actor
            stocktake.committedAtMillis = transaction.now / 1_000_000
            return try saveStocktake(
                &stocktake, moves: moves, event: "stocktake.committed", method: commitStocktakeMethod,
                requestID: request.requestID, actor: actor, store: store, transaction: &transaction)
        }
    }
}
