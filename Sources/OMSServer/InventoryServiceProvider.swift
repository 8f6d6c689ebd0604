import OMSCore
import OMSProto
import RPC

/// `oms.v1.InventoryService`: warehouses, locations, stock levels, the
/// ledger, purchase orders and valuation.
struct InventoryServiceProvider {
    let inventory: Inventory
    let reads: ReadPool

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
        router.scan(Oms_V1_InventoryService.Method.listWarehouses, on: reads) { _ in
            var response = Oms_V1_ListWarehousesResponse()
            response.warehouses = try inventory.warehouses()
            return response
        }
        router.unary(Oms_V1_InventoryService.Method.getStock) { request, _, responder in
            // Composed from the stored rows as they are (no decode, no encode).
            do {
                responder.succeed(
                    framed: try GRPCFraming.frame { try inventory.encodeStock(request, appendingTo: &$0) })
            } catch {
                responder.fail(ErrorMapping.rpcError(error))
            }
        }
        router.unary(Oms_V1_InventoryService.Method.createLocation) { request, context, responder in
            inventory.createLocation(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.scan(Oms_V1_InventoryService.Method.listLocations, on: reads) { try inventory.locations($0) }
        router.scan(Oms_V1_InventoryService.Method.listStock, on: reads) { try inventory.listStock($0) }
        router.scan(Oms_V1_InventoryService.Method.listMovements, on: reads) { try inventory.movements($0) }
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
        router.pointRead(Oms_V1_InventoryService.Method.getPurchaseOrder) { request in
            var response = Oms_V1_GetPurchaseOrderResponse()
            response.purchaseOrder = try inventory.purchaseOrder(id: request.id)
            return response
        }
        router.scan(Oms_V1_InventoryService.Method.listPurchaseOrders, on: reads) { try inventory.purchaseOrders($0) }
        router.scan(Oms_V1_InventoryService.Method.getValuation, on: reads) { try inventory.valuation($0) }
        router.unary(Oms_V1_InventoryService.Method.requestTransfer) { request, context, responder in
            inventory.requestTransfer(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.approveTransfer) { request, context, responder in
            inventory.approveTransfer(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.rejectTransfer) { request, context, responder in
            inventory.rejectTransfer(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.shipTransfer) { request, context, responder in
            inventory.shipTransfer(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_InventoryService.Method.receiveTransfer) { request, context, responder in
            inventory.receiveTransfer(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.pointRead(Oms_V1_InventoryService.Method.getTransfer) { request in
            var response = Oms_V1_TransferResponse()
            response.transfer = try inventory.transfer(id: request.id)
            return response
        }
        router.unary(Oms_V1_InventoryService.Method.requestScrap) { request, context, responder in
            inventory.requestScrap(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_InventoryService.Method.approveScrap) { request, context, responder in
            inventory.approveScrap(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.unary(Oms_V1_InventoryService.Method.rejectScrap) { request, context, responder in
            inventory.rejectScrap(request, actor: context.principal ?? "anonymous") { responder.complete(mapping: $0) }
        }
        router.pointRead(Oms_V1_InventoryService.Method.getScrap) { request in
            var response = Oms_V1_ScrapResponse()
            response.scrap = try inventory.scrap(id: request.id)
            return response
        }
        router.clientStreaming(Oms_V1_InventoryService.Method.bulkAdjustStock) { rows, context in
            do {
                return try await inventory.bulkAdjustStock(rows, actor: context.principal ?? "anonymous")
            } catch {
                throw ErrorMapping.rpcError(error)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.startStocktake) { request, context, responder in
            inventory.startStocktake(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.clientStreaming(Oms_V1_InventoryService.Method.recordCounts) { counts, context in
            do {
                return try await inventory.recordCounts(counts, actor: context.principal ?? "anonymous")
            } catch {
                throw ErrorMapping.rpcError(error)
            }
        }
        router.scan(Oms_V1_InventoryService.Method.getStocktakeVariance, on: reads) {
            try inventory.stocktakeVariance(id: $0.id)
        }
        router.unary(Oms_V1_InventoryService.Method.commitStocktake) { request, context, responder in
            inventory.commitStocktake(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.reconcileReservations) { request, context, responder in
            inventory.reconcileReservations(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.unary(Oms_V1_InventoryService.Method.setReorderPolicy) { request, context, responder in
            inventory.setReorderPolicy(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.scan(Oms_V1_InventoryService.Method.listLowStock, on: reads) { try inventory.lowStock($0) }
        router.scan(Oms_V1_InventoryService.Method.suggestReplenishment, on: reads) {
            try inventory.suggestReplenishment($0)
        }
        router.unary(Oms_V1_InventoryService.Method.createPurchaseOrdersFromSuggestions) {
            request, context, responder in
            inventory.createPurchaseOrdersFromSuggestions(request, actor: context.principal ?? "anonymous") {
                responder.complete(mapping: $0)
            }
        }
        router.scan(Oms_V1_InventoryService.Method.getStockAnalysis, on: reads) { try inventory.stockAnalysis($0) }
    }
}
