import KeyValueStorage
public import OMSProto

/// The orders domain: one async entry point per order command, each run by
/// the command framework (`OMSStore.run`) on the single writer, plus the
/// reads (`OrderQueries`, `OrderDocuments`), which use the store directly
/// and never wait for the writer.
///
/// Each command is declared once as a `WriteCommand` (`CreateOrder`,
/// `RecordPayment`, ...): OMSServer serves the same values at their RPCs.
/// The commands the policy configures get it from here.
public struct Orders: Sendable {
    let store: OMSStore
    public let policy: OrderPolicy

    public init(store: OMSStore, policy: OrderPolicy = .defaults) {
        self.store = store
        self.policy = policy
    }

    // MARK: Commands

    public func create(_ request: Oms_V1_CreateOrderRequest, actor: String) async throws -> Oms_V1_CreateOrderResponse {
        try await store.run(CreateOrder(policy: policy), request, actor: actor)
    }

    public func recordPayment(
        _ request: Oms_V1_RecordPaymentRequest, actor: String
    ) async throws -> Oms_V1_RecordPaymentResponse {
        try await store.run(RecordPayment(), request, actor: actor)
    }

    public func cancel(_ request: Oms_V1_CancelOrderRequest, actor: String) async throws -> Oms_V1_CancelOrderResponse {
        try await store.run(CancelOrder(policy: policy), request, actor: actor)
    }

    public func approve(
        _ request: Oms_V1_ApproveOrderRequest, actor: String
    ) async throws -> Oms_V1_ApproveOrderResponse {
        try await store.run(ApproveOrder(), request, actor: actor)
    }

    public func reject(_ request: Oms_V1_RejectOrderRequest, actor: String) async throws -> Oms_V1_RejectOrderResponse {
        try await store.run(RejectOrder(), request, actor: actor)
    }

    public func update(_ request: Oms_V1_UpdateOrderRequest, actor: String) async throws -> Oms_V1_UpdateOrderResponse {
        try await store.run(UpdateOrder(policy: policy), request, actor: actor)
    }

    public func ship(
        _ request: Oms_V1_CreateShipmentRequest, actor: String
    ) async throws -> Oms_V1_CreateShipmentResponse {
        try await store.run(CreateShipment(), request, actor: actor)
    }

    public func track(
        _ request: Oms_V1_AddTrackingEventRequest, actor: String
    ) async throws -> Oms_V1_AddTrackingEventResponse {
        try await store.run(AddTrackingEvent(policy: policy), request, actor: actor)
    }

    public func refund(_ request: Oms_V1_RefundOrderRequest, actor: String) async throws -> Oms_V1_RefundOrderResponse {
        try await store.run(RefundOrder(), request, actor: actor)
    }

    public func createReturn(
        _ request: Oms_V1_CreateReturnRequest, actor: String
    ) async throws -> Oms_V1_CreateReturnResponse {
        try await store.run(CreateReturn(), request, actor: actor)
    }

    public func receiveReturn(
        _ request: Oms_V1_ReceiveReturnRequest, actor: String
    ) async throws -> Oms_V1_ReceiveReturnResponse {
        try await store.run(ReceiveReturn(), request, actor: actor)
    }

    public func rate(_ request: Oms_V1_RateOrderRequest, actor: String) async throws -> Oms_V1_RateOrderResponse {
        try await store.run(RateOrder(), request, actor: actor)
    }

    /// Fires the order timers due by the store's clock (`OrderTimers`:
    /// unpaid orders past their payment deadline are cancelled, releasing
    /// their stock; delivered orders auto-complete). Returns how many timers
    /// fired: at most `limit` per call, so call again while it returns `limit`.
    @discardableResult
    public func fireDueTimers(limit: Int = 256) async throws -> Int {
        let policy = self.policy
        return try await store.runJob(OrderTimers.job) {
            try OrderTimers.fireDue(limit: limit, policy: policy, in: &$0)
        }
    }
}
