import Foundation
import OMSProto

/// A report's days, weeks and months in its time zone, mapped onto the
/// half-hour UTC slots of the rollups. Built once per report (one Foundation
/// calendar step per day), then every slot finds its period by an array index.
struct ReportCalendar {
    static let maxDays = 3660

    /// First slot of the range (inclusive) and the slot after its end.
    let firstSlot: UInt32
    let endSlot: UInt32
    /// Period index of each slot from `firstSlot`.
    private let periodOfSlot: [Int32]
    /// "YYYY-MM-DD" of each period start (empty for TOTAL).
    let periodStarts: [String]
    /// The slots of each period (periods are contiguous and in order).
    let periodSlots: [Range<UInt32>]
    let rangeStartMillis: Int64
    let rangeEndMillis: Int64

    /// Validates `range` (fields named from `field`) and builds the periods.
    init(_ range: Oms_V1_ReportRange?, period: Oms_V1_ReportPeriod, field: String = "range") throws(DomainError) {
        var validator = Validator()
        let range = range ?? Oms_V1_ReportRange()
        let zoneName = range.timeZone.isEmpty ? "UTC" : range.timeZone
        let zone = TimeZone(identifier: zoneName)
        validator.check(zone != nil, "\(field).time_zone", "unknown time zone '\(range.timeZone)'")
        let from = Self.parseDate(range.fromDate)
        let to = Self.parseDate(range.toDate)
        validator.check(from != nil, "\(field).from_date", "must be a date YYYY-MM-DD, got '\(range.fromDate)'")
        validator.check(to != nil, "\(field).to_date", "must be a date YYYY-MM-DD, got '\(range.toDate)'")
        if case .UNRECOGNIZED(let value) = period { validator.check(false, "period", "unknown period \(value)") }
        try validator.throwIfInvalid()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone!
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        guard let start = calendar.date(from: from!), let last = calendar.date(from: to!),
            let end = calendar.date(byAdding: .day, value: 1, to: last)
        else { throw DomainError.invalid(field: "\(field).from_date", "is not a valid date") }
        guard start < end else { throw DomainError.invalid(field: "\(field).to_date", "must not be before from_date") }
        // Walk the days: each day's start must fall on a slot boundary.
        var dayStarts: [Int64] = []
        var dayLabels: [(day: DateComponents, date: Date)] = []
        var cursor = start
        while cursor < end {
            guard dayStarts.count < Self.maxDays else {
                throw DomainError.invalid(field: "\(field).to_date", "at most \(Self.maxDays) days after from_date")
            }
            let millis = Int64((cursor.timeIntervalSince1970 * 1000).rounded())
            guard millis % RollupRow.slotMillis == 0 else {
                throw DomainError.invalid(
                    field: "\(field).time_zone",
                    "\(zoneName) has an offset that is not a whole number of half hours; reports use half-hour buckets")
            }
            guard millis >= 0 else { throw DomainError.invalid(field: "\(field).from_date", "must be after 1970") }
            dayStarts.append(millis)
            dayLabels.append((calendar.dateComponents([.year, .month, .day, .weekday], from: cursor), cursor))
            guard let next = calendar.date(byAdding: .day, value: 1, to: cursor) else { break }
            cursor = next
        }
        let endMillis = Int64((end.timeIntervalSince1970 * 1000).rounded())
        guard endMillis % RollupRow.slotMillis == 0 else {
            throw DomainError.invalid(
                field: "\(field).time_zone",
                "\(zoneName) has an offset that is not a whole number of half hours; reports use half-hour buckets")
        }
        // Period of each day.
        var labels: [String] = []
        var dayPeriod: [Int32] = []
        for (components, date) in dayLabels {
            let label: String
            switch period {
            case .total: label = ""
            case .week:
                let weekday = components.weekday!  // 1 = Sunday
                let back = (weekday + 5) % 7
                let monday = calendar.date(byAdding: .day, value: -back, to: date)!
                label = Self.format(calendar.dateComponents([.year, .month, .day], from: monday))
            case .month:
                var first = components
                first.day = 1
                label = Self.format(first)
            default: label = Self.format(components)
            }
            if labels.last != label { labels.append(label) }
            dayPeriod.append(Int32(labels.count - 1))
        }
        firstSlot = UInt32(dayStarts[0] / RollupRow.slotMillis)
        endSlot = UInt32(endMillis / RollupRow.slotMillis)
        var slots = [Int32](repeating: 0, count: Int(endSlot - firstSlot))
        for (index, dayStart) in dayStarts.enumerated() {
            let from = Int(dayStart / RollupRow.slotMillis) - Int(firstSlot)
            let to =
                index + 1 < dayStarts.count
                ? Int(dayStarts[index + 1] / RollupRow.slotMillis) - Int(firstSlot) : slots.count
            for slot in from..<to { slots[slot] = dayPeriod[index] }
        }
        var bounds: [Range<UInt32>] = []
        for (index, dayStart) in dayStarts.enumerated() {
            let from = UInt32(dayStart / RollupRow.slotMillis)
            let to = index + 1 < dayStarts.count ? UInt32(dayStarts[index + 1] / RollupRow.slotMillis) : endSlot
            if Int(dayPeriod[index]) == bounds.count {
                bounds.append(from..<to)
            } else {
                bounds[bounds.count - 1] = bounds[bounds.count - 1].lowerBound..<to
            }
        }
        periodSlots = bounds
        periodOfSlot = slots
        periodStarts = labels
        rangeStartMillis = dayStarts[0]
        rangeEndMillis = endMillis
    }

    /// The period index of a slot inside the range, else nil.
    func period(ofSlot slot: UInt32) -> Int? {
        guard slot >= firstSlot, slot < endSlot else { return nil }
        return Int(periodOfSlot[Int(slot - firstSlot)])
    }

    static func parseDate(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        // Reject 2026-02-30 and the like instead of rolling over.
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.day], from: date).day == day
        else { return nil }
        return components
    }

    static func format(_ components: DateComponents) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(components.year!, 4))-\(pad(components.month!, 2))-\(pad(components.day!, 2))"
    }
}
