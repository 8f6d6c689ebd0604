import Foundation
import KeyValueStorage
public import OMSProto

/// Scheduled reports: each scheduled definition has one durable due row in
/// `rollups` (`0xF2 due-millis(u64) id`), so "what is due" is one forward
/// scan and schedules survive restarts. A run and the move of its due row to
/// the next occurrence are one batch, and the run's request id is derived
/// from the due time, so a crash between the two cannot run a slot twice.
///
/// Not in the shared `timers` family: `OrderTimers.fireDue` deletes every
/// due timer whatever its kind, so report timers there would be lost until
/// TimerQueue dispatches by kind.
extension Reports {
    static let dueTag: UInt8 = 0xF2

    static func dueKey(_ millis: Int64, _ id: String) -> [UInt8] {
        var key: [UInt8] = [dueTag]
        KeyCodec.append(UInt64(max(0, millis)), to: &key)
        key += Array(id.utf8)
        return key
    }

    static func validate(_ schedule: Oms_V1_ReportSchedule, into validator: inout Validator) {
        let field = "definition.schedule"
        switch schedule.frequency {
        case .daily, .weekly: break
        default: validator.check(false, "\(field).frequency", "must be DAILY or WEEKLY")
        }
        validator.check((0...23).contains(schedule.hour), "\(field).hour", "must be from 0 to 23")
        if schedule.frequency == .weekly {
            validator.check(
                (1...7).contains(schedule.weekday), "\(field).weekday", "must be from 1 (Monday) to 7 (Sunday)")
        }
        validator.check(
            schedule.timeZone.isEmpty || TimeZone(identifier: schedule.timeZone) != nil, "\(field).time_zone",
            "unknown time zone '\(schedule.timeZone)'")
    }

    /// The first occurrence of the schedule strictly after `millis`.
    static func nextRun(_ schedule: Oms_V1_ReportSchedule, after millis: Int64) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone =
            TimeZone(identifier: schedule.timeZone.isEmpty ? "UTC" : schedule.timeZone) ?? TimeZone(identifier: "UTC")!
        var components = DateComponents()
        components.hour = Int(schedule.hour)
        components.minute = 0
        components.second = 0
        if schedule.frequency == .weekly { components.weekday = Int(schedule.weekday) % 7 + 1 }  // ISO → Foundation
        let after = Date(timeIntervalSince1970: Double(millis) / 1000)
        guard let next = calendar.nextDate(after: after, matching: components, matchingPolicy: .nextTime) else {
            return millis + 86_400_000
        }
        return Int64((next.timeIntervalSince1970 * 1000).rounded())
    }

    /// Runs every schedule due by the store's clock (at most `limit`);
    /// returns how many ran. The daemon's ReportScheduleRunner calls it.
    @discardableResult
    public func fireDueSchedules(limit: Int = 64) async throws -> Int {
        let now = store.clock.nowMillis()
        var upper: [UInt8] = [Self.dueTag]
        KeyCodec.append(UInt64(max(0, now)) + 1, to: &upper)
        let due = try store.engine.scan(store.families.rollups, from: [Self.dueTag], to: upper, limit: limit)
        var fired = 0
        for row in due {
            var reader = KeyCodec.Reader(Array(row.key.dropFirst()))
            let dueAt = Int64(bitPattern: try reader.readUInt64())
            let id = String(decoding: reader.readRemaining(), as: UTF8.self)
            var request = Oms_V1_RunReportRequest()
            request.definitionID = id
            request.requestID = "schedule-\(id)-\(dueAt)"
            do {
                let command = try prepareRun(request, actor: "scheduler", scheduledAt: dueAt)
                _ = try await store.run(command, request, actor: "scheduler")
                fired += 1
            } catch let error as DomainError where error.kind == .notFound {
                continue
            }
        }
        return fired
    }
}

extension Reports {
    /// `nextRun` for tests outside the module.
    public static func nextRunForTesting(_ schedule: Oms_V1_ReportSchedule, after millis: Int64) -> Int64 {
        nextRun(schedule, after: millis)
    }
}
