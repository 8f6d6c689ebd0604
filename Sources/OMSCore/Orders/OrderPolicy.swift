/// The configurable rules of the order lifecycle.
public struct OrderPolicy: Sendable {
    public enum CancellationFee: Sendable, Hashable {
        /// A share of the order total in basis points (500 = 5%), rounded half up.
        case percentage(basisPoints: Int64)
        /// A fixed amount in minor units of the order currency, at most the total.
        case fixed(amountMinor: Int64)
    }

    /// Cancelling within this long after placement is free (default 24 h).
    public var freeCancellationWindowMillis: Int64 = 24 * 3_600_000
    /// What cancelling after the window costs (default 5% of the total).
    public var cancellationFee: CancellationFee = .percentage(basisPoints: 500)
    /// Unpaid orders are cancelled automatically this long after placement (default 3 days).
    public var paymentDeadlineMillis: Int64 = 3 * 86_400_000

    /// Automatic review: totals at or above this are ABNORMAL_AMOUNT (0 = off).
    public var abnormalAmountMinor: Int64 = 0
    /// Automatic review: a total above this multiple of the customer's average
    /// order (over every order placed before, in the same currency, needing at
    /// least 3) is ABNORMAL_AMOUNT (0 = off).
    public var abnormalMultipleOfAverage: Int64 = 10
    /// Automatic review: the same customer ordering the same lines within this
    /// window is POSSIBLE_DUPLICATE (0 = off). Orders with an external_ref are
    /// exempt: that reference already deduplicates them exactly.
    public var duplicateWindowMillis: Int64 = 10 * 60_000

    /// Manual approval: orders whose total reaches `minTotalMinor` need
    /// `approvals` approvals by different users before payment.
    public struct ApprovalTier: Sendable, Hashable {
        public var minTotalMinor: Int64
        public var approvals: Int32
        public init(minTotalMinor: Int64, approvals: Int32) {
            self.minTotalMinor = minTotalMinor
            self.approvals = approvals
        }
    }

    public var approvalTiers: [ApprovalTier] = [
        ApprovalTier(minTotalMinor: 1_000_000, approvals: 1), ApprovalTier(minTotalMinor: 5_000_000, approvals: 2),
    ]

    /// Approvals an order with this total needs.
    public func approvalsRequired(totalMinor: Int64) -> Int32 {
        approvalTiers.filter { totalMinor >= $0.minTotalMinor }.map(\.approvals).max() ?? 0
    }

    /// Delivered orders complete automatically this long after delivery (default 7 days).
    public var autoCompleteAfterDeliveryMillis: Int64 = 7 * 86_400_000
    /// Loyalty points a customer earns per 100 minor units of a completed order (default 1).
    public var pointsPerHundredMinor: Int64 = 1
    /// Loyalty tiers by points, checked highest first when points change.
    public var tiers: [(name: String, minPoints: Int64)] = [("gold", 5_000), ("silver", 1_000)]

    /// The tier for `points`, or nil to keep the customer's current one.
    public func tier(forPoints points: Int64) -> String? {
        tiers.sorted { $0.minPoints > $1.minPoints }.first { points >= $0.minPoints }?.name
    }

    public init() {}

    public static var defaults: OrderPolicy { OrderPolicy() }
}
