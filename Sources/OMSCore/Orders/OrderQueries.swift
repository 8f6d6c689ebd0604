import KeyValueStorage
public import OMSProto

/// Reads of orders, from the store directly (never waiting for the writer):
/// one order, a filtered list, an order's history.
extension Orders {
    public func order(id: String) throws -> Oms_V1_Order {
        var validator = Validator()
        validator.checkID(id, "id")
        try validator.throwIfInvalid()
        guard let bytes = try store.engine.get(store.families.orders, Array(id.utf8)) else {
            throw DomainError(.notFound, "order \(id) not found", reason: "ORDER_NOT_FOUND")
        }
        return try Oms_V1_Order(serializedBytes: bytes)
    }

    /// Hands the stored encoding of the order to `body` without decoding it
    /// (valid only during the call): GetOrder's fast path, like GetProduct's.
    public func withStoredOrder<R>(id: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var validator = Validator()
        validator.checkID(id, "id")
        try validator.throwIfInvalid()
        var id = id
        return try id.withUTF8 { key in
            try store.engine.withValue(store.families.orders, UnsafeRawBufferPointer(key)) { value in
                guard let value else {
                    throw DomainError(
                        .notFound, "order \(String(decoding: key, as: UTF8.self)) not found", reason: "ORDER_NOT_FOUND")
                }
                return try body(value)
            }
        }
    }

    /// Newest first, in pages: the rows `OrderListPlan` chooses, or for
    /// `external_ref` one index lookup.
    public func list(_ request: Oms_V1_ListOrdersRequest) throws -> Oms_V1_ListOrdersResponse {
        let pageSize = try PageToken.pageSize(request.pageSize)
        var after = try PageToken.decode(request.pageToken)
        var validator = Validator()
        if case .UNRECOGNIZED(let value) = request.status {
            validator.check(false, "status", "unknown status \(value)")
        }
        if case .UNRECOGNIZED(let value) = request.flag { validator.check(false, "flag", "unknown flag \(value)") }
        validator.check(request.createdFromMillis >= 0, "created_from_millis", "must not be negative")
        validator.check(request.createdToMillis >= 0, "created_to_millis", "must not be negative")
        validator.check(
            request.externalRef.isEmpty || !request.channel.isEmpty, "external_ref",
            "needs channel: references are unique per channel")
        try validator.throwIfInvalid()
        let families = store.families
        let snapshot = try store.engine.readView()
        var response = Oms_V1_ListOrdersResponse()
        if !request.externalRef.isEmpty {
            let key = OrderIndex.externalRefKey(channel: request.channel, ref: request.externalRef)
            if after == nil, let id = try snapshot.get(families.orderIndex, key),
                let bytes = try snapshot.get(families.orders, id)
            {
                let order = try Oms_V1_Order(serializedBytes: bytes)
                if OrderListPlan.matches(order, request) { response.orders.append(order) }
            }
            return response
        }
        let plan = OrderListPlan(request, families: families)
        var lastKey: [UInt8]?
        scanning: while true {
            let rows = try snapshot.scan(
                plan.family, from: plan.lower, to: plan.upper, after: after, limit: pageSize + 1, reverse: true)
            for row in rows {
                if response.orders.count == pageSize {
                    response.nextPageToken = PageToken.encode(lastKey!)
                    break scanning
                }
                lastKey = row.key
                let order: Oms_V1_Order
                if plan.viaIndex {
                    guard let bytes = try snapshot.get(families.orders, row.value) else {
                        continue
                    }
                    order = try Oms_V1_Order(serializedBytes: bytes)
                } else {
                    order = try Oms_V1_Order(serializedBytes: row.value)
                }
                if OrderListPlan.matches(order, request) { response.orders.append(order) }
            }
            if rows.count <= pageSize { break }
            after = rows.last?.key
        }
        return response
    }

    public func history(_ request: Oms_V1_GetOrderHistoryRequest) throws -> Oms_V1_GetOrderHistoryResponse {
        _ = try order(id: request.id)
        let pageSize = try PageToken.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken)
        let rows = try store.engine.scan(
            store.families.orderIndex, prefix: OrderIndex.historyPrefix(request.id), after: after, limit: pageSize + 1)
        var response = Oms_V1_GetOrderHistoryResponse()
        for row in rows.prefix(pageSize) {
            response.entries.append(try Oms_V1_OrderHistoryEntry(serializedBytes: row.value))
        }
        if rows.count > pageSize { response.nextPageToken = PageToken.encode(rows[pageSize - 1].key) }
        return response
    }
}
