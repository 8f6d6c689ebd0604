import KeyValueStorage
public import OMSProto

/// Customer records (`customers`, keyed by id).
public struct Customers: Sendable {
    public static let upsertMethod = "/oms.v1.CustomerService/UpsertCustomer"
    static let maxAddresses = 20

    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    public static func validate(_ request: Oms_V1_UpsertCustomerRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let customer = request.customer else {
            validator.check(false, "customer", "is required")
            try validator.throwIfInvalid()
            return
        }
        if !customer.id.isEmpty { Catalog.validateSKU(customer.id, field: "customer.id", into: &validator) }
        validator.check(!customer.name.isEmpty, "customer.name", "must not be empty")
        validator.check(customer.name.utf8.count <= 200, "customer.name", "must be at most 200 bytes")
        if !customer.email.isEmpty {
            let parts = customer.email.split(separator: "@", omittingEmptySubsequences: false)
            validator.check(
                parts.count == 2 && !parts[0].isEmpty && parts[1].contains("."), "customer.email",
                "must look like name@example.com")
        }
        validator.check(customer.points >= 0, "customer.points", "must not be negative")
        validator.check(
            customer.addresses.count <= maxAddresses, "customer.addresses", "at most \(maxAddresses) addresses")
        try validator.throwIfInvalid()
    }

    public func upsert(
        _ request: Oms_V1_UpsertCustomerRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_UpsertCustomerResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        DomainCommand.submit(
            store,
            { transaction in
                try Self.apply(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func upsert(
        _ request: Oms_V1_UpsertCustomerRequest, actor: String
    ) async throws
        -> Oms_V1_UpsertCustomerResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            upsert(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    static func apply(
        _ request: Oms_V1_UpsertCustomerRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_UpsertCustomerResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: upsertMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_UpsertCustomerResponse.self)
        {
            return (replay, 0)
        }
        var customer = request.customer!
        let now = transaction.now / 1_000_000
        if customer.id.isEmpty {
            let sequence = try MetaCounter.next("customer_id_sequence", transaction: &transaction, families: families)
            customer.id = SortableID.make(prefix: "cus_", millis: now, sequence: sequence)
        }
        let key = Array(customer.id.utf8)
        let existing = try transaction.get(families.customers, key).map { try Oms_V1_Customer(serializedBytes: $0) }
        if let existing {
            if request.expectedVersion != 0 && request.expectedVersion != existing.version {
                throw DomainError(
                    .aborted,
                    "customer \(customer.id) is at version \(existing.version), not \(request.expectedVersion)",
                    reason: "VERSION_MISMATCH")
            }
            customer.version = existing.version + 1
            customer.createdAtMillis = existing.createdAtMillis
            // Server-maintained: the feedback summary and earned points stay.
            customer.ratingsCount = existing.ratingsCount
            customer.ratingsSum = existing.ratingsSum
            if customer.points == 0 { customer.points = existing.points }
        } else {
            if request.expectedVersion != 0 {
                throw DomainError(
                    .aborted, "customer \(customer.id) does not exist (expected version \(request.expectedVersion))",
                    reason: "VERSION_MISMATCH")
            }
            customer.version = 1
            customer.createdAtMillis = now
            customer.ratingsCount = 0
            customer.ratingsSum = 0
        }
        if customer.tier.isEmpty { customer.tier = existing?.tier ?? "standard" }
        customer.updatedAtMillis = now
        transaction.put(families.customers, key, customer.serializedBytes())
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction,
            type: existing == nil ? "customer.created" : "customer.updated", resourceType: "customer",
            resourceID: customer.id, actor: actor, requestID: request.requestID, method: upsertMethod,
            payload: .customer(customer))
        var response = Oms_V1_UpsertCustomerResponse()
        response.customer = customer
        response.created = existing == nil
        Idempotency.record(
            &transaction, families: families, method: upsertMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, sequence)
    }

    public func customer(id: String) throws -> Oms_V1_Customer {
        var validator = Validator()
        Catalog.validateSKU(id, field: "id", into: &validator)
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

/// Server-generated ids: a type prefix, the creation time in milliseconds
/// (10 Crockford base32 digits) and a store-wide sequence (8 digits), so ids
/// sort by creation time and never repeat.
public enum SortableID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func make(prefix: String, millis: Int64, sequence: UInt64) -> String {
        var out = Array(prefix.utf8)
        append(UInt64(max(0, millis)), digits: 10, to: &out)
        append(sequence, digits: 8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ value: UInt64, digits: Int, to out: inout [UInt8]) {
        for index in stride(from: digits - 1, through: 0, by: -1) {
            out.append(alphabet[Int((value >> UInt64(index * 5)) & 31)])
        }
    }
}
