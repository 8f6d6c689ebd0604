/// The moving-average unit cost of a sku, in integer minor units.
///
/// The rule: a receipt of `q` units at unit cost `c` into `n` units on hand
/// (all warehouses) at average `a` makes the new average
///
///     (n × a + q × c) / (n + q), rounded half up to a whole minor unit
///
/// (when `n <= 0` the new average is `c`). Everything else that moves stock
/// (shipments, adjustments, transfers, scrap, stocktake corrections) leaves
/// the average unchanged and is valued at it. Stock value is always
/// `on_hand × average`, so the value of a sku is the sum of its warehouses'.
///
/// Worked example: 10 @ 100 then 5 @ 130 → 1650 / 15 = 110; then 3 @ 121 →
/// (15 × 110 + 363) / 18 = 2013 / 18 = 111.83 → 112; 1 @ 101 into 1 @ 100 →
/// 201 / 2 = 100.5 → 101 (half up).
public enum MovingAverageCost {
    public static func afterReceipt(
        onHand: Int64, averageCostMinor: Int64, quantity: Int64, unitCostMinor: Int64
    ) throws(DomainError) -> Int64 {
        guard onHand > 0 else { return unitCostMinor }
        let (held, o1) = onHand.multipliedReportingOverflow(by: averageCostMinor)
        let (added, o2) = quantity.multipliedReportingOverflow(by: unitCostMinor)
        let (total, o3) = held.addingReportingOverflow(added)
        let (units, o4) = onHand.addingReportingOverflow(quantity)
        guard !(o1 || o2 || o3 || o4), units > 0, total >= 0 else {
            throw DomainError.invalid(field: "unit_cost_minor", "makes the stock value overflow")
        }
        // Half up on non-negative values: floor((2 × total + units) / (2 × units)),
        // computed without doubling total (which could overflow).
        let quotient = total / units
        let remainder = total % units
        return remainder >= units - remainder ? quotient + 1 : quotient
    }
}
