public import OMSProto

extension OMSClient.Orders {
    /// Bulk load: streams `requests` to `ImportOrders`, which applies each
    /// row exactly as ``create(_:requestID:options:)`` would (validation,
    /// reservation, review, events) with many rows per durable write.
    ///
    /// Returns once every applied row is durable. A row that fails does not
    /// stop the others: it is counted in `failed` and (the first 1000) listed
    /// in `failures` by its 0-based index, with the gRPC code, message and
    /// reason `CreateOrder` would have returned. Give each row a `request_id`
    /// so the stream can be sent again after a broken connection without
    /// creating any order twice (replayed rows count as created).
    ///
    /// ```swift
    /// let rows = AsyncStream<Oms_V1_CreateOrderRequest> { continuation in
    ///     for order in orders {
    ///         continuation.yield(.with { $0.requestID = RequestID.generate(); $0.order = order })
    ///     }
    ///     continuation.finish()
    /// }
    /// let summary = try await client.orders.importOrders(rows)
    /// print(summary.created, summary.failed)
    /// ```
    ///
    /// The call is never retried automatically (the stream may not be
    /// replayable); pass a ``OMSClient/CallOptions/timeout`` that fits the volume.
    public func importOrders<Rows: AsyncSequence & Sendable>(
        _ requests: Rows, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_ImportOrdersResponse where Rows.Element == Oms_V1_CreateOrderRequest {
        try await client.clientStream(Oms_V1_OrderService.Method.importOrders, requests: requests, options: options)
    }
}
