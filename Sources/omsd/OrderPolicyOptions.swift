import ArgumentParser
import Foundation
import OMSServer

/// The order-policy flags of `omsd serve` (OMSCore.OrderPolicy), each with an
/// `OMSD_*` environment fallback. Optional so that a flag given on the command
/// line wins over the environment, and the environment over the default.
struct OrderPolicyOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Unpaid orders are cancelled automatically, and their stock released, this many hours after placement (default 72, 1-8760).",
            valueName: "hours"))
    var paymentDeadlineHours: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Cancelling within this many hours after placement is free (default 24, 0-8760; 0 = never free).",
            valueName: "hours"))
    var freeCancelHours: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Fee for cancelling after the free window, in basis points of the order total, rounded half up (default 500 = 5%, 0-10000).",
            valueName: "bps"))
    var cancelFeeBps: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Instead of --cancel-fee-bps: a fixed fee in minor units of the order currency, capped at the total.",
            valueName: "minor"))
    var cancelFeeMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Orders totalling at least this (minor units) need one approval (default 1000000; 0 = off).",
            valueName: "minor"))
    var oneApprovalFromMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Orders totalling at least this (minor units) need two approvals by different users (default 5000000; 0 = off).",
            valueName: "minor"))
    var twoApprovalsFromMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags orders totalling at least this (minor units) ABNORMAL_AMOUNT and holds them (default 0 = off).",
            valueName: "minor"))
    var abnormalAmountMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags an order above this multiple of the customer's average order ABNORMAL_AMOUNT (default 10, 0-1000; 0 = off).",
            valueName: "n"))
    var abnormalMultipleOfAverage: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags the same customer ordering the same lines within this many minutes POSSIBLE_DUPLICATE (default 10, 0-43200; 0 = off).",
            valueName: "minutes"))
    var duplicateWindowMinutes: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Delivered orders complete automatically this many days after delivery (default 7, 1-3650).",
            valueName: "days"))
    var autoCompleteDays: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Loyalty points a customer earns per 100 minor units of a completed order (default 1, 0-1000000).",
            valueName: "n"))
    var pointsPerHundredMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Loyalty tiers as NAME=MIN_POINTS,... (default gold=5000,silver=1000; 'none' = keep tiers as they are).",
            valueName: "tiers"))
    var loyaltyTiers: String?

    /// The policy these flags (then `environment`, then the defaults) describe.
    func policy(environment: [String: String]) throws -> OMSDaemon.OrderPolicy {
        var policy = OMSDaemon.OrderPolicy.defaults
        let source = Source(environment: environment)

        if let hours = try source.int64(paymentDeadlineHours, "payment-deadline-hours", 1...8760, "hours") {
            policy.paymentDeadlineMillis = hours * 3_600_000
        }
        if let hours = try source.int64(freeCancelHours, "free-cancel-hours", 0...8760, "hours") {
            policy.freeCancellationWindowMillis = hours * 3_600_000
        }
        // The flags decide the fee when either is given; else the environment; else 5%.
        let fromFlags = cancelFeeBps != nil || cancelFeeMinor != nil
        let bps = try source.int64(cancelFeeBps, "cancel-fee-bps", 0...10_000, "basis points", flagsOnly: fromFlags)
        let fixed = try source.int64(
            cancelFeeMinor, "cancel-fee-minor", 0...Int64.max, "minor units", flagsOnly: fromFlags)
        switch (bps, fixed) {
        case (.some, .some):
            throw ValidationError(
                fromFlags
                    ? "give either --cancel-fee-bps (a share of the total) or --cancel-fee-minor (a fixed fee), not both"
                    : "OMSD_CANCEL_FEE_BPS and OMSD_CANCEL_FEE_MINOR are both set; set only one")
        case (let bps?, nil): policy.cancellationFee = .percentage(basisPoints: bps)
        case (nil, let fixed?): policy.cancellationFee = .fixed(amountMinor: fixed)
        case (nil, nil): break
        }

        let one =
            try source.int64(oneApprovalFromMinor, "one-approval-from-minor", 0...Int64.max, "minor units")
            ?? 1_000_000
        let two =
            try source.int64(twoApprovalsFromMinor, "two-approvals-from-minor", 0...Int64.max, "minor units")
            ?? 5_000_000
        if one > 0 && two > 0 && two < one {
            let twoName = source.origin(twoApprovalsFromMinor, "two-approvals-from-minor")
            let oneName = source.origin(oneApprovalFromMinor, "one-approval-from-minor")
            throw ValidationError(
                "\(twoName) (\(two)) is below \(oneName) (\(one)), so orders would never need just one approval; "
                    + "make it at least \(one), or 0 to turn two approvals off")
        }
        policy.approvalTiers =
            (one > 0 ? [.init(minTotalMinor: one, approvals: 1)] : [])
            + (two > 0 ? [.init(minTotalMinor: two, approvals: 2)] : [])

        if let minor = try source.int64(abnormalAmountMinor, "abnormal-amount-minor", 0...Int64.max, "minor units") {
            policy.abnormalAmountMinor = minor
        }
        if let n = try source.int64(abnormalMultipleOfAverage, "abnormal-multiple-of-average", 0...1000, "") {
            policy.abnormalMultipleOfAverage = n
        }
        if let minutes = try source.int64(duplicateWindowMinutes, "duplicate-window-minutes", 0...43_200, "minutes") {
            policy.duplicateWindowMillis = minutes * 60_000
        }
        if let days = try source.int64(autoCompleteDays, "auto-complete-days", 1...3650, "days") {
            policy.autoCompleteAfterDeliveryMillis = days * 86_400_000
        }
        if let n = try source.int64(pointsPerHundredMinor, "points-per-hundred-minor", 0...1_000_000, "points") {
            policy.pointsPerHundredMinor = n
        }
        if let (text, name) = source.string(loyaltyTiers, "loyalty-tiers") {
            policy.tiers = try Self.parseTiers(text, name: name)
        }
        return policy
    }

    /// `gold=5000,silver=1000`, or `none` for no tier changes.
    static func parseTiers(_ text: String, name: String) throws -> [(name: String, minPoints: Int64)] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "none" { return [] }
        var tiers: [(name: String, minPoints: Int64)] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            let tier = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !tier.isEmpty,
                let points = Int64(parts[1].trimmingCharacters(in: .whitespaces)), points >= 0
            else {
                throw ValidationError(
                    "\(name) must be NAME=MIN_POINTS,... with whole, non-negative points (e.g. gold=5000,silver=1000) "
                        + "or 'none'; '\(item)' is not")
            }
            if tiers.contains(where: { $0.name == tier }) {
                throw ValidationError("\(name) names the tier '\(tier)' twice")
            }
            tiers.append((tier, points))
        }
        return tiers
    }

    /// One line for the log: what the policy says.
    static func summary(_ policy: OMSDaemon.OrderPolicy) -> String {
        func hours(_ millis: Int64) -> String { "\(millis / 3_600_000) h" }
        let fee: String
        switch policy.cancellationFee {
        case .percentage(let bps): fee = "\(bps) bps of the total"
        case .fixed(let minor): fee = "\(minor) minor units"
        }
        let approvals =
            policy.approvalTiers.isEmpty
            ? "none"
            : policy.approvalTiers.map { "\($0.approvals) from \($0.minTotalMinor)" }.joined(separator: ", ")
        let tiers =
            policy.tiers.isEmpty ? "none" : policy.tiers.map { "\($0.name)=\($0.minPoints)" }.joined(separator: ",")
        return "payment deadline \(hours(policy.paymentDeadlineMillis)); "
            + "free cancellation \(hours(policy.freeCancellationWindowMillis)), then a fee of \(fee); "
            + "approvals \(approvals); "
            + "abnormal amount \(policy.abnormalAmountMinor == 0 ? "off" : String(policy.abnormalAmountMinor)), "
            + "above \(policy.abnormalMultipleOfAverage)× the average; "
            + "duplicate window \(policy.duplicateWindowMillis / 60_000) min; "
            + "auto-complete \(policy.autoCompleteAfterDeliveryMillis / 86_400_000) days after delivery; "
            + "\(policy.pointsPerHundredMinor) points per 100 minor units; tiers \(tiers)"
    }

    /// Reads a value from its flag, else from `OMSD_<FLAG>`, with messages
    /// that name where a bad value came from.
    struct Source {
        var environment: [String: String]

        static func variable(_ flag: String) -> String {
            "OMSD_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
        }

        func int64(
            _ flagValue: Int64?, _ flag: String, _ range: ClosedRange<Int64>, _ unit: String, flagsOnly: Bool = false
        ) throws -> Int64? {
            let value: Int64
            let origin: String
            if let flagValue {
                value = flagValue
                origin = "--\(flag)"
            } else if !flagsOnly, let text = environment[Self.variable(flag)] {
                guard let parsed = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(Self.variable(flag)) must be a whole number, got '\(text)'")
                }
                value = parsed
                origin = Self.variable(flag)
            } else {
                return nil
            }
            guard range.contains(value) else {
                let units = unit.isEmpty ? "" : " \(unit)"
                throw ValidationError(
                    range.upperBound == Int64.max
                        ? "\(origin) must not be negative, got \(value)"
                        : "\(origin) must be from \(range.lowerBound) to \(range.upperBound)\(units), got \(value)")
            }
            return value
        }

        /// Where the value of `flag` comes from: the flag, its variable, or the default.
        func origin(_ flagValue: Int64?, _ flag: String) -> String {
            if flagValue != nil { return "--\(flag)" }
            return environment[Self.variable(flag)] != nil ? Self.variable(flag) : "the default of --\(flag)"
        }

        /// The flag's text, else the environment's, with where it came from.
        func string(_ flagValue: String?, _ flag: String) -> (String, String)? {
            if let flagValue { return (flagValue, "--\(flag)") }
            if let text = environment[Self.variable(flag)] { return (text, Self.variable(flag)) }
            return nil
        }
    }
}
