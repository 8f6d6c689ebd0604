import KeyValueStorage
public import OMSProto

/// Customer records (`customers`, keyed by id).
public struct Customers: Sendable {
    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    /// Creates or updates a customer record (`UpsertCustomer`).
    public func upsert(
        _ request: Oms_V1_UpsertCustomerRequest, actor: String
    ) async throws
        -> Oms_V1_UpsertCustomerResponse
    {
        try await store.run(UpsertCustomer(), request, actor: actor)
    }

    public func customer(id: String) throws -> Oms_V1_Customer {
        var validator = Validator()
        validator.checkID(id, "id")
        try validator.throwIfInvalid()
        guard let bytes = try store.engine.get(store.families.customers, Array(id.utf8)) else {
            throw DomainError(.notFound, "customer \(id) not found", reason: "CUSTOMER_NOT_FOUND")
        }
        return try Oms_V1_Customer(serializedBytes: bytes)
    }

    public func list(_ request: Oms_V1_ListCustomersRequest) throws -> Oms_V1_ListCustomersResponse {
        let pageSize = try PageToken.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken)
        let rows = try store.engine.scan(store.families.customers, prefix: [], after: after, limit: pageSize + 1)
        var response = Oms_V1_ListCustomersResponse()
        for row in rows.prefix(pageSize) {
            response.customers.append(try Oms_V1_Customer(serializedBytes: row.value))
        }
        if rows.count > pageSize { response.nextPageToken = PageToken.encode(rows[pageSize - 1].key) }
        return response
    }
}
