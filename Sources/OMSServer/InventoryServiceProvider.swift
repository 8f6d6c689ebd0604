import OMSCore
import OMSProto
import RPC

/// `oms.v1.InventoryService`: warehouses and stock levels.
struct InventoryServiceProvider {
    let inventory: Inventory

    func register(in router: inout Router) {
        let inventory = self.inventory
        router.unary(Oms_V1_InventoryService.Method.createWarehouse) { request, context, responder in
            inventory.createWarehouse(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.adjustStock) { request, context, responder in
            inventory.adjustStock(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_InventoryService.Method.listWarehouses) { _, _, responder in
            responder.answer {
                var response = Oms_V1_ListWarehousesResponse()
                response.warehouses = try inventory.warehouses()
                return response
            }
        }
        router.unary(Oms_V1_InventoryService.Method.getStock) { request, _, responder in
            responder.answer { try inventory.stock(request) }
        }
    }
}
