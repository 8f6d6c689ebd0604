extension OMSClient {
    /// `oms.v1.InventoryService`: warehouses and stock levels.
    public var inventory: Inventory { Inventory(client: self) }

    /// Calls of `oms.v1.InventoryService`.
    public struct Inventory: Sendable {
        let client: OMSClient

        /// Creates a warehouse. Lower `priority` values are allocated first.
        ///
        /// - Throws: ``OMSError`` with ``OMSError/Code/alreadyExists`` when the code is taken.
        public func createWarehouse(
            code: String, name: String = "", priority: Int32 = 0, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Warehouse {
            var request = Oms_V1_CreateWarehouseRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.warehouse = .with {
                $0.code = code
                $0.name = name
                $0.priority = priority
            }
            let response = try await client.call(
                Oms_V1_InventoryService.Method.createWarehouse, request, options: options, idempotent: true)
            return response.warehouse ?? Oms_V1_Warehouse()
        }

        /// Every warehouse in allocation order (priority, then code).
        public func warehouses(options: CallOptions = CallOptions()) async throws(OMSError) -> [Oms_V1_Warehouse] {
            try await client.call(
                Oms_V1_InventoryService.Method.listWarehouses, Oms_V1_ListWarehousesRequest(), options: options,
                idempotent: true
            ).warehouses
        }

        /// Adds `delta` (negative to remove) to the on-hand stock of `sku` in
        /// `warehouse`, with a ledger entry. On-hand never goes below zero nor
        /// below what is reserved (``OMSError/Code/failedPrecondition``).
        ///
        /// - Returns: the new level and the ledger row written.
        /// `location` "" is the warehouse's unassigned stock; a negative delta
        /// without a location takes from unassigned first, then locations in
        /// code order.
        public func adjustStock(
            sku: String, warehouse: String, delta: Int64, reason: String, location: String = "",
            reference: String = "", requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (level: Oms_V1_StockLevel, move: Oms_V1_StockMove) {
            var request = Oms_V1_AdjustStockRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.sku = sku
            request.warehouseCode = warehouse
            request.delta = delta
            request.reason = reason
            request.locationCode = location
            request.reference = reference
            let response = try await client.call(
                Oms_V1_InventoryService.Method.adjustStock, request, options: options, idempotent: true)
            return (response.level ?? Oms_V1_StockLevel(), response.move ?? Oms_V1_StockMove())
        }

        /// On-hand, reserved and available of `sku` in one warehouse, or
        /// summed over all of them when `warehouse` is empty (with the
        /// per-warehouse breakdown in `warehouses`).
        public func stock(
            sku: String, warehouse: String = "", options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_GetStockResponse
        {
            var request = Oms_V1_GetStockRequest()
            request.sku = sku
            request.warehouseCode = warehouse
            return try await client.call(
                Oms_V1_InventoryService.Method.getStock, request, options: options, idempotent: true)
        }

        /// Creates a location (bin) in a warehouse.
        ///
        /// - Throws: ``OMSError`` with ``OMSError/Code/alreadyExists`` when the code is taken in that
        ///   warehouse, ``OMSError/Code/failedPrecondition`` when the warehouse does not exist.
        public func createLocation(
            warehouse: String, code: String, zone: String = "", aisle: String = "", bin: String = "",
            name: String = "", requestID: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Location {
            var request = Oms_V1_CreateLocationRequest()
            request.requestID = requestID ?? RequestID.generate()
            var location = Oms_V1_Location()
            location.warehouseCode = warehouse
            location.code = code
            location.zone = zone
            location.aisle = aisle
            location.bin = bin
            location.name = name
            request.location = location
            let response = try await client.call(
                Oms_V1_InventoryService.Method.createLocation, request, options: options, idempotent: true)
            return response.location ?? Oms_V1_Location()
        }

        /// One page of a warehouse's locations in code order.
        public func locations(
            warehouse: String, pageSize: Int32 = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_Location> {
            var request = Oms_V1_ListLocationsRequest()
            request.warehouseCode = warehouse
            request.pageSize = pageSize
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_InventoryService.Method.listLocations, request, options: options, idempotent: true)
            return Page(
                items: response.locations,
                nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// One page of on-hand per sku × warehouse × location: by product
        /// (`sku`), by warehouse, or by location (`warehouse` + `location`).
        public func listStock(
            sku: String = "", warehouse: String = "", location: String = "", includeEmpty: Bool = false,
            pageSize: Int32 = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_LocationStock> {
            var request = Oms_V1_ListStockRequest()
            request.sku = sku
            request.warehouseCode = warehouse
            request.locationCode = location
            request.includeEmpty = includeEmpty
            request.pageSize = pageSize
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_InventoryService.Method.listStock, request, options: options, idempotent: true)
            return Page(
                items: response.rows, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Filters for ``movements(_:pageSize:pageToken:options:)``; empty fields do not filter.
        public struct MovementFilter: Sendable {
            public var sku = ""
            public var warehouse = ""
            public var location = ""
            public var kind: Oms_V1_StockMoveKind = .unspecified
            /// `[from, to)` in Unix milliseconds; 0 = open end.
            public var fromMillis: Int64 = 0
            public var toMillis: Int64 = 0
            public init(
                sku: String = "", warehouse: String = "", location: String = "",
                kind: Oms_V1_StockMoveKind = .unspecified, fromMillis: Int64 = 0, toMillis: Int64 = 0
            ) {
                self.sku = sku
                self.warehouse = warehouse
                self.location = location
                self.kind = kind
                self.fromMillis = fromMillis
                self.toMillis = toMillis
            }
        }

        /// One page of the stock ledger, oldest first.
        public func movements(
            _ filter: MovementFilter = MovementFilter(), pageSize: Int32 = 0, pageToken: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_StockMove> {
            var request = Oms_V1_ListMovementsRequest()
            request.sku = filter.sku
            request.warehouseCode = filter.warehouse
            request.locationCode = filter.location
            request.kind = filter.kind
            request.fromMillis = filter.fromMillis
            request.toMillis = filter.toMillis
            request.pageSize = pageSize
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_InventoryService.Method.listMovements, request, options: options, idempotent: true)
            return Page(
                items: response.moves, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }
    }
}
