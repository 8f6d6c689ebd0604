import KeyValueStorage
import OMSProto

/// Loyalty points and tiers: a completed order earns its customer
/// `pointsPerHundredMinor` points per whole 100 minor units of its total,
/// and the points reached decide the tier (`OrderPolicy.tiers`, highest
/// first; below every tier the customer keeps the one they have).
enum LoyaltyPoints {
    /// The points a completed order with this total earns.
    static func earned(totalMinor: Int64, policy: OrderPolicy) -> Int64 {
        totalMinor / 100 * policy.pointsPerHundredMinor
    }

    /// Credits `points` to customer `customerID` and moves their tier, with a
    /// `customer.updated` event. Returns the updated customer, or nil when
    /// there is nothing to credit or no such customer.
    static func credit(
        _ points: Int64, to customerID: String, policy: OrderPolicy, in context: inout CommandContext
    ) throws -> Oms_V1_Customer? {
        let customers = context.families.customers
        guard points > 0, !customerID.isEmpty,
            let bytes = try context.transaction.get(customers, Array(customerID.utf8))
        else { return nil }
        var customer = try Oms_V1_Customer(serializedBytes: bytes)
        customer.points += points
        if let tier = policy.tier(forPoints: customer.points) { customer.tier = tier }
        customer.version += 1
        customer.updatedAtMillis = context.nowMillis
        context.transaction.put(customers, Array(customer.id.utf8), customer.serializedBytes())
        try context.record("customer.updated", resource: "customer", id: customer.id, payload: .customer(customer))
        return customer
    }
}
