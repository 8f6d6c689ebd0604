extension OMSClient.Inventory {
    /// Checks that every level's reserved quantity equals its open
    /// reservations and lists orphan leases (order gone or closed). With
    /// `repair`, releases the orphans and corrects the levels in one batch.
    public func reconcileReservations(
        repair: Bool = false, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_ReconcileReservationsResponse {
        var request = Oms_V1_ReconcileReservationsRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.repair = repair
        return try await client.call(
            Oms_V1_InventoryService.Method.reconcileReservations, request, options: options, idempotent: true)
    }
}
