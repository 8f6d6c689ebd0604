public import OMSProto

/// `UpsertCustomer`: creates a customer (with a server id when none is given)
/// or replaces one, optionally only at the version the caller read. Ratings
/// and earned points are the server's and survive a replace.
public struct UpsertCustomer: WriteCommand {
    public static let method = Oms_V1_CustomerService.Method.upsertCustomer
    static let maxAddresses = 20

    public init() {}

    public func validate(_ request: Oms_V1_UpsertCustomerRequest, into validator: inout Validator) {
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let customer = request.customer else {
            return validator.check(false, "customer", "is required")
        }
        if !customer.id.isEmpty { validator.checkID(customer.id, "customer.id") }
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
            customer.addresses.count <= Self.maxAddresses, "customer.addresses",
            "at most \(Self.maxAddresses) addresses")
    }

    public func apply(
        _ request: Oms_V1_UpsertCustomerRequest, in context: inout CommandContext
    ) throws -> Oms_V1_UpsertCustomerResponse {
        let families = context.families
        var customer = request.customer!
        let now = context.nowMillis
        if customer.id.isEmpty {
            let sequence = try MetaCounter.next(
                "customer_id_sequence", transaction: &context.transaction, families: families)
            customer.id = SortableID.make(prefix: "cus_", millis: now, sequence: sequence)
        }
        let key = Array(customer.id.utf8)
        let existing = try context.transaction.get(families.customers, key).map {
            try Oms_V1_Customer(serializedBytes: $0)
        }
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
        context.transaction.put(families.customers, key, customer.serializedBytes())
        try context.record(
            existing == nil ? "customer.created" : "customer.updated", resource: "customer", id: customer.id,
            payload: .customer(customer))
        var response = Oms_V1_UpsertCustomerResponse()
        response.customer = customer
        response.created = existing == nil
        return response
    }
}
