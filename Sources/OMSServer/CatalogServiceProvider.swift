import OMSCore
import OMSProto
import RPC

/// `oms.v1.CatalogService`: reads answer on the event loop; upserts go to the
/// single writer and answer when durable.
struct CatalogServiceProvider {
    let store: OMSStore
    let catalog: Catalog
    let reads: ReadPool

    func register(in router: inout Router) {
        let catalog = self.catalog
        router.command(UpsertProduct(), on: store)
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
        router.scan(Oms_V1_CatalogService.Method.listProducts, on: reads) { try catalog.list($0) }
    }
}
