import OMSCore
import OMSProto
import RPC

/// `oms.v1.InventoryService`: warehouses, locations, stock levels, the
/// ledger, purchase orders and valuation.
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
        router.unary(Oms_V1_InventoryService.Method.createLocation) { request, context, responder in
            inventory.createLocation(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.listLocations) { request, _, responder in
            responder.answer { try inventory.locations(request) }
        }
        router.unary(Oms_V1_InventoryService.Method.listStock) { request, _, responder in
            responder.answer { try inventory.listStock(request) }
        }
        router.unary(Oms_V1_InventoryService.Method.listMovements) { request, _, responder in
            responder.answer { try inventory.movements(request) }
        }
        router.unary(Oms_V1_InventoryService.Method.createPurchaseOrder) { request, context, responder in
            inventory.createPurchaseOrder(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.receivePurchaseOrder) { request, context, responder in
            inventory.receivePurchaseOrder(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.getPurchaseOrder) { request, _, responder in
            responder.answer {
                var response = Oms_V1_GetPurchaseOrderResponse()
                response.purchaseOrder = try inventory.purchaseOrder(id: request.id)
                return response
            }
        }
        router.unary(Oms_V1_InventoryService.Method.listPurchaseOrders) { request, _, responder in
            responder.answer { try inventory.purchaseOrders(request) }
        }
        router.unary(Oms_V1_InventoryService.Method.getValuation) { request, _, responder in
            responder.answer { try inventory.valuation(request) }
        }
    }
}
