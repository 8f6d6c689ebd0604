extension OMSClient {
    /// `oms.v1.ReportService`: sales and fulfilment reports from rollups, and
    /// the rollup check/rebuild.
    public var reports: Reports { Reports(client: self) }

    /// Calls of `oms.v1.ReportService`.
    public struct Reports: Sendable {
        let client: OMSClient

        /// Sales (revenue, orders, units, AOV, discounts, tax, shipping,
        /// refunds, cancellations) per period × dimension value × currency.
        public func sales(
            _ request: Oms_V1_SalesReportRequest, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_SalesReportResponse
        {
            try await client.call(Oms_V1_ReportService.Method.salesReport, request, options: options, idempotent: true)
        }

        /// Placement → payment / shipment / delivery percentiles, exceptions
        /// and late shipments per period.
        public func fulfillment(
            _ request: Oms_V1_FulfillmentReportRequest, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_FulfillmentReportResponse
        {
            try await client.call(
                Oms_V1_ReportService.Method.fulfillmentReport, request, options: options, idempotent: true)
        }

        /// Top customers per currency, new vs repeat, tiers and ratings.
        public func customers(
            _ request: Oms_V1_CustomerReportRequest, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_CustomerReportResponse
        {
            try await client.call(
                Oms_V1_ReportService.Method.customerReport, request, options: options, idempotent: true)
        }

        /// Stock levels with value, movements by kind and turnover per sku.
        public func inventory(
            _ request: Oms_V1_InventoryReportRequest, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_InventoryReportResponse
        {
            try await client.call(
                Oms_V1_ReportService.Method.inventoryReport, request, options: options, idempotent: true)
        }

        /// The report as a CSV or XLSX file, in chunks (concatenate `data`);
        /// the last chunk has `last` set and the row count. Audited on the server.
        public func export(
            _ request: Oms_V1_ExportReportRequest, options: CallOptions = CallOptions()
        )
            -> AsyncThrowingStream<Oms_V1_ExportReportChunk, any Error>
        {
            client.serverStream(Oms_V1_ReportService.Method.exportReport, request, options: options)
        }

        /// Saves a custom report definition (creates it, or replaces it when
        /// `expectedVersion` matches the stored version).
        public func saveDefinition(
            _ definition: Oms_V1_ReportDefinition, expectedVersion: Int64 = 0, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (definition: Oms_V1_ReportDefinition, created: Bool) {
            var request = Oms_V1_SaveReportDefinitionRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.definition = definition
            request.expectedVersion = expectedVersion
            let response = try await client.call(
                Oms_V1_ReportService.Method.saveReportDefinition, request, options: options, idempotent: true)
            return (response.definition ?? definition, response.created)
        }

        /// One page of saved definitions in id order.
        public func definitions(
            pageSize: Int32 = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Page<Oms_V1_ReportDefinition>
        {
            var request = Oms_V1_ListReportDefinitionsRequest()
            request.pageSize = pageSize
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_ReportService.Method.listReportDefinitions, request, options: options, idempotent: true)
            return Page(
                items: response.definitions,
                nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Runs a saved report now; the run is stored and announced on the event stream.
        public func run(
            definitionID: String, requestID: String? = nil, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Oms_V1_ReportRun
        {
            var request = Oms_V1_RunReportRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.definitionID = definitionID
            let response = try await client.call(
                Oms_V1_ReportService.Method.runReport, request, options: options, idempotent: true)
            return response.run ?? Oms_V1_ReportRun()
        }

        /// Stored runs of a definition, newest first.
        public func runs(
            definitionID: String, pageSize: Int32 = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_ReportRun> {
            var request = Oms_V1_ListReportRunsRequest()
            request.definitionID = definitionID
            request.pageSize = pageSize
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_ReportService.Method.listReportRuns, request, options: options, idempotent: true)
            return Page(
                items: response.runs, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Recomputes the rollups from the orders and reports differing rows;
        /// `repair` rewrites them (admin).
        public func rebuildRollups(
            repair: Bool = false, maxDifferences: Int32 = 0, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_RebuildRollupsResponse {
            var request = Oms_V1_RebuildRollupsRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.repair = repair
            request.maxDifferences = maxDifferences
            return try await client.call(
                Oms_V1_ReportService.Method.rebuildRollups, request, options: options, idempotent: true)
        }
    }
}
