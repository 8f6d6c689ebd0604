import OMSCore
import OMSProto
import RPC

/// `oms.v1.CatalogService`: reads answer on the event loop; upserts go to the
/// single writer and answer when durable.
struct CatalogServiceProvider {
    let catalog: Catalog

    func register(in router: inout Router) {
        let catalog = self.catalog
        router.unary(Oms_V1_CatalogService.Method.upsertProduct) { request, context, responder in
            catalog.upsert(request, actor: context.principal ?? "anonymous") { result in
                responder.complete(mapping: result)
            }
        }
        router.unary(Oms_V1_CatalogService.Method.getProduct) { request, _, responder in
            // GetProductResponse{product = 1}: wrap the stored bytes as they are.
            do {
                responder.succeed(
                    framed: try catalog.withStoredProduct(sku: request.sku) {
                        GRPCFraming.frameEmbedded(fieldNumber: 1, encoded: $0)
                    })
            } catch {
                responder.fail(ErrorMapping.rpcError(error))
            }
        }
        router.unary(Oms_V1_CatalogService.Method.listProducts) { request, _, responder in
            responder.answer { try catalog.list(request) }
        }
    }
}
