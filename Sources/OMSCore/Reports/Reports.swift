import KeyValueStorage
import OMSProto

/// The report queries (sales, fulfilment) over the `rollups` aggregates, and
/// the rebuild that checks them against the source records. Queries read a
/// snapshot and never wait for the writer.
public struct Reports: Sendable {
    /// The counter behind audit rows that name no event (exports, rollup checks).
    static let auditSequence = "report_audit_sequence"
    static let maxFilterValues = 1000

    public let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    /// Every row of `table` whose slot is in the calendar's range, from one snapshot.
    func scan(
        _ table: UInt8, _ calendar: ReportCalendar, snapshot: any ReadView
    ) throws -> [(key: [UInt8], value: [UInt8])] {
        try snapshot.scan(
            store.families.rollups, from: RollupRow.prefix(table, slot: calendar.firstSlot),
            to: RollupRow.prefix(table, slot: calendar.endSlot), limit: Int.max)
    }

    static func validateFilter(_ values: [String], field: String, into validator: inout Validator) {
        validator.check(values.count <= maxFilterValues, field, "at most \(maxFilterValues) values")
        for (index, value) in values.enumerated() where value.utf8.count > 128 {
            validator.check(false, "\(field)[\(index)]", "must be at most 128 bytes")
        }
    }

    /// `numerator / denominator` rounded half away from zero (0 when the
    /// denominator is 0): the rounding of every average in the reports.
    static func roundedQuotient(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        guard denominator != 0 else { return 0 }
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        guard remainder.magnitude * 2 >= denominator.magnitude else { return quotient }
        return (numerator < 0) != (denominator < 0) ? quotient - 1 : quotient + 1
    }
}
