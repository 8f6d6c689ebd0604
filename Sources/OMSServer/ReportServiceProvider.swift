import OMSCore
import OMSProto
import RPC

/// `oms.v1.ReportService`: reports read rollup rows from a snapshot on the
/// event loop (O(buckets), never O(orders)); the rebuild runs on the writer.
struct ReportServiceProvider {
    let reports: Reports
    let reads: ReadPool

    func register(in router: inout Router) {
        let reports = self.reports
        let reads = self.reads
        router.scan(Oms_V1_ReportService.Method.salesReport, on: reads) { try reports.sales($0) }
        router.scan(Oms_V1_ReportService.Method.fulfillmentReport, on: reads) { try reports.fulfillment($0) }
        router.scan(Oms_V1_ReportService.Method.customerReport, on: reads) { try reports.customers($0) }
        router.scan(Oms_V1_ReportService.Method.inventoryReport, on: reads) { try reports.inventory($0) }
        // Chunks are written one at a time; `write` waits for HTTP/2 flow
        // control, so a slow reader holds at most one chunk in flight here.
        // The export's reads (one period's rows per chunk) run on the read pool.
        router.serverStreaming(Oms_V1_ReportService.Method.exportReport) { request, writer, context in
            let export: ExportCursor
            do {
                export = try await reads.run { ExportCursor(try ReportExport(request, store: reports.store)) }
                try await reports.auditExport(
                    export.export, format: request.format, actor: context.principal ?? "anonymous")
            } catch {
                throw ErrorMapping.rpcError(error)
            }
            while !context.isCancelled {
                let chunk: Oms_V1_ExportReportChunk?
                do {
                    chunk = try await reads.run { try export.next() }
                } catch {
                    throw ErrorMapping.rpcError(error)
                }
                guard let chunk else { return }
                try await writer.write(chunk)
            }
        }
        router.command(SaveReportDefinition(store: reports.store), on: reports.store)
        router.scan(Oms_V1_ReportService.Method.listReportDefinitions, on: reads) { try reports.definitions($0) }
        // The report is computed on the read pool, then its run is recorded by the writer.
        router.unary(Oms_V1_ReportService.Method.runReport) { request, context, responder in
            let actor = context.principal ?? "anonymous"
            reads.submit { active in
                guard active else { return responder.fail(RPCError(.unavailable, "server is shutting down")) }
                do {
                    let command = try reports.prepareRun(request, actor: actor, scheduledAt: nil)
                    reports.store.enqueue(command, request, actor: actor) {
                        responder.complete(mapping: $0, requestID: request.requestID)
                    }
                } catch {
                    responder.fail(ErrorMapping.rpcError(error))
                }
            }
        }
        router.scan(Oms_V1_ReportService.Method.listReportRuns, on: reads) { try reports.runs($0) }
        router.command(RebuildRollups(), on: reports.store)
    }
}
