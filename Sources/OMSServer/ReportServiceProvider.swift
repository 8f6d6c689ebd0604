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
        router.unary(Oms_V1_ReportService.Method.rebuildRollups) { request, context, responder in
            reports.rebuildRollups(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
    }
}
