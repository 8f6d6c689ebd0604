import OMSCore
import OMSProto
import RPC

/// `oms.v1.InventoryService`: warehouses, locations, stock levels, the
/// ledger, purchase orders and valuation. Commands go from the event loop
/// to the single writer; point reads answer on the loop, scans on the read pool.
struct InventoryServiceProvider {
    let store: OMSStore
    let inventory: Inventory
    let reads: ReadPool

    func register(in router: inout Router) {
        let (store, inventory, reads) = (self.store, self.inventory, self.reads)
        router.command(CreateWarehouse(), on: store)
        router.command(AdjustStock(), on: store)
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
        router.command(CreateLocation(), on: store)
        router.scan(Oms_V1_InventoryService.Method.listLocations, on: reads) { try inventory.locations($0) }
        router.scan(Oms_V1_InventoryService.Method.listStock, on: reads) { try inventory.listStock($0) }
        router.scan(Oms_V1_InventoryService.Method.listMovements, on: reads) { try inventory.movements($0) }
        router.command(CreatePurchaseOrder(), on: store)
        router.command(ReceivePurchaseOrder(), on: store)
        router.pointRead(Oms_V1_InventoryService.Method.getPurchaseOrder) { request in
            var response = Oms_V1_GetPurchaseOrderResponse()
            response.purchaseOrder = try inventory.purchaseOrder(id: request.id)
            return response
        }
        router.scan(Oms_V1_InventoryService.Method.listPurchaseOrders, on: reads) { try inventory.purchaseOrders($0) }
        router.scan(Oms_V1_InventoryService.Method.getValuation, on: reads) { try inventory.valuation($0) }
        router.command(RequestTransfer(), on: store)
        router.command(ApproveTransfer(), on: store)
        router.command(RejectTransfer(), on: store)
        router.command(ShipTransfer(), on: store)
        router.command(ReceiveTransfer(), on: store)
        router.pointRead(Oms_V1_InventoryService.Method.getTransfer) { request in
            var response = Oms_V1_TransferResponse()
            response.transfer = try inventory.transfer(id: request.id)
            return response
        }
        router.command(RequestScrap(), on: store)
        router.command(ApproveScrap(), on: store)
        router.command(RejectScrap(), on: store)
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
        router.command(StartStocktake(), on: store)
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
        router.command(CommitStocktake(), on: store)
        router.unary(Oms_V1_InventoryService.Method.reconcileReservations) { request, context, responder in
            // A repair is a command on the writer; a report (repair false)
            // scans every reservation and level, so it runs on the read pool.
            if request.repair {
                store.enqueue(ReconcileReservations(), request, actor: context.principal ?? "anonymous") {
                    responder.complete(mapping: $0, requestID: request.requestID)
                }
                return
            }
            reads.submit { active in
                guard active else { return responder.fail(RPCError(.unavailable, "server is shutting down")) }
                guard !context.isCancelled else { return responder.fail(RPCError(.cancelled, "call cancelled")) }
                responder.answer { try inventory.reservationReport() }
            }
        }
        router.command(SetReorderPolicy(), on: store)
        router.scan(Oms_V1_InventoryService.Method.listLowStock, on: reads) { try inventory.lowStock($0) }
        router.scan(Oms_V1_InventoryService.Method.suggestReplenishment, on: reads) {
            try inventory.suggestReplenishment($0)
        }
        router.command(CreatePurchaseOrdersFromSuggestions(), on: store)
        router.scan(Oms_V1_InventoryService.Method.getStockAnalysis, on: reads) { try inventory.stockAnalysis($0) }
    }
}
