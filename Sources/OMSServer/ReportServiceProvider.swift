import OMSCore
import OMSProto
import RPC

/// `oms.v1.ReportService`: reports read rollup rows from a snapshot on the
/// event loop (O(buckets), never O(orders)); the rebuild runs on the writer.
struct ReportServiceProvider {
    let reports: Reports

    func register(in router: inout Router) {
        let reports = self.reports
        router.unary(Oms_V1_ReportService.Method.salesReport) { request, _, responder in
            responder.answer { try reports.sales(request) }
        }
        router.unary(Oms_V1_ReportService.Method.fulfillmentReport) { request, _, responder in
            responder.answer { try reports.fulfillment(request) }
        }
        router.unary(Oms_V1_ReportService.Method.customerReport) { request, _, responder in
            responder.answer { try reports.customers(request) }
        }
        router.unary(Oms_V1_ReportService.Method.inventoryReport) { request, _, responder in
            responder.answer { try reports.inventory(request) }
        }
        // Chunks are written one at a time; `write` waits for HTTP/2 flow
        // control, so a slow reader holds at most one chunk in flight here.
        router.serverStreaming(Oms_V1_ReportService.Method.exportReport) { request, writer, context in
            var export: ReportExport
            do {
                export = try ReportExport(request, store: reports.store)
                try await reports.auditExport(export, format: request.format, actor: context.principal ?? "anonymous")
            } catch {
                throw ErrorMapping.rpcError(error)
            }
            while !context.isCancelled {
                let chunk: Oms_V1_ExportReportChunk?
                do {
                    chunk = try export.next()
                } catch {
                    throw ErrorMapping.rpcError(error)
                }
                guard let chunk else { return }
                try await writer.write(chunk)
            }
        }
        router.unary(Oms_V1_ReportService.Method.saveReportDefinition) { request, context, responder in
            let actor = context.principal ?? "anonymous"
            Task {
                responder.complete(
                    mapping: await Result(catching: { try await reports.saveDefinition(request, actor: actor) }))
            }
        }
        router.unary(Oms_V1_ReportService.Method.listReportDefinitions) { request, _, responder in
            responder.answer { try reports.definitions(request) }
        }
        router.unary(Oms_V1_ReportService.Method.runReport) { request, context, responder in
            let actor = context.principal ?? "anonymous"
            Task {
                responder.complete(mapping: await Result(catching: { try await reports.run(request, actor: actor) }))
            }
        }
        router.unary(Oms_V1_ReportService.Method.listReportRuns) { request, _, responder in
            responder.answer { try reports.runs(request) }
        }
        router.unary(Oms_V1_ReportService.Method.rebuildRollups) { request, context, responder in
            reports.rebuildRollups(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
