public import OMSProto

/// A request message with a `request_id` field: the idempotency key of a
/// mutating RPC (DESIGN.md "Data and writes").
public protocol IdempotentRequest: ProtoMessage {
    var requestID: String { get set }
}

extension Oms_V1_UpsertProductRequest: IdempotentRequest {}
extension Oms_V1_UpsertCustomerRequest: IdempotentRequest {}
extension Oms_V1_CreateOrderRequest: IdempotentRequest {}
extension Oms_V1_RecordPaymentRequest: IdempotentRequest {}
extension Oms_V1_CancelOrderRequest: IdempotentRequest {}
extension Oms_V1_ApproveOrderRequest: IdempotentRequest {}
extension Oms_V1_RejectOrderRequest: IdempotentRequest {}
extension Oms_V1_UpdateOrderRequest: IdempotentRequest {}
extension Oms_V1_CreateShipmentRequest: IdempotentRequest {}
extension Oms_V1_AddTrackingEventRequest: IdempotentRequest {}
extension Oms_V1_RefundOrderRequest: IdempotentRequest {}
extension Oms_V1_CreateReturnRequest: IdempotentRequest {}
extension Oms_V1_ReceiveReturnRequest: IdempotentRequest {}
extension Oms_V1_RateOrderRequest: IdempotentRequest {}
extension Oms_V1_CreateWarehouseRequest: IdempotentRequest {}
extension Oms_V1_AdjustStockRequest: IdempotentRequest {}
extension Oms_V1_CreateLocationRequest: IdempotentRequest {}
extension Oms_V1_CreatePurchaseOrderRequest: IdempotentRequest {}
extension Oms_V1_ReceivePurchaseOrderRequest: IdempotentRequest {}
extension Oms_V1_RequestTransferRequest: IdempotentRequest {}
extension Oms_V1_ApproveTransferRequest: IdempotentRequest {}
extension Oms_V1_RejectTransferRequest: IdempotentRequest {}
extension Oms_V1_ShipTransferRequest: IdempotentRequest {}
extension Oms_V1_ReceiveTransferRequest: IdempotentRequest {}
extension Oms_V1_RequestScrapRequest: IdempotentRequest {}
extension Oms_V1_ApproveScrapRequest: IdempotentRequest {}
extension Oms_V1_RejectScrapRequest: IdempotentRequest {}
extension Oms_V1_StartStocktakeRequest: IdempotentRequest {}
extension Oms_V1_CommitStocktakeRequest: IdempotentRequest {}
extension Oms_V1_SetReorderPolicyRequest: IdempotentRequest {}
extension Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest: IdempotentRequest {}
extension Oms_V1_ReconcileReservationsRequest: IdempotentRequest {}
extension Oms_V1_SaveReportDefinitionRequest: IdempotentRequest {}
extension Oms_V1_RunReportRequest: IdempotentRequest {}
