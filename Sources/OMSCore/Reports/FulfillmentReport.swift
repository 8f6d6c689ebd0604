import KeyValueStorage
public import OMSProto

/// `FulfillmentReport`: stage-duration percentiles from the histogram rows,
/// flagged orders by reason and shipments later than a threshold, per period
/// of placement.
extension Reports {
    public func fulfillment(_ request: Oms_V1_FulfillmentReportRequest) throws -> Oms_V1_FulfillmentReportResponse {
        let period = request.period == .unspecified ? Oms_V1_ReportPeriod.total : request.period
        var validator = Validator()
        Self.validateFilter(request.channels, field: "channels", into: &validator)
        validator.check(
            (0...8760).contains(request.lateAfterHours), "late_after_hours", "must be from 0 to 8760 (0: 48)")
        try validator.throwIfInvalid()
        let calendar = try ReportCalendar(request.range, period: period)
        let channels = Set(request.channels)
        let lateHours = request.lateAfterHours == 0 ? 48 : Int64(request.lateAfterHours)
        let late = DurationHistogram.threshold(atLeast: lateHours * 3_600_000)
        let snapshot = try store.engine.readView()

        struct Accumulator {
            var orders: Int64 = 0
            var stages: [UInt8: [Int64]] = [:]
            var exceptions: [String: Int64] = [:]
        }
        var periods = [Accumulator](repeating: Accumulator(), count: calendar.periodStarts.count)
        /// The period and the rest of the key after the channel, or nil when filtered out.
        func locate(_ key: [UInt8]) throws -> (Int, [UInt8])? {
            var reader = KeyCodec.Reader(Array(key.dropFirst()))
            let slot = try reader.readUInt32()
            let channel = try reader.readString()
            guard let index = calendar.period(ofSlot: slot) else { return nil }
            if !channels.isEmpty && !channels.contains(channel) { return nil }
            return (index, reader.readRemaining())
        }
        for row in try scan(RollupRow.fulfilmentOrders, calendar, snapshot: snapshot) {
            guard let (index, _) = try locate(row.key) else { continue }
            periods[index].orders += RollupRow.decode(row.value).first ?? 0
        }
        for row in try scan(RollupRow.fulfilmentDurations, calendar, snapshot: snapshot) {
            guard let (index, tail) = try locate(row.key), tail.count == 2 else { continue }
            var counts = periods[index].stages[tail[0]] ?? [Int64](repeating: 0, count: DurationHistogram.bucketCount)
            counts[Int(tail[1])] += RollupRow.decode(row.value).first ?? 0
            periods[index].stages[tail[0]] = counts
        }
        for row in try scan(RollupRow.fulfilmentExceptions, calendar, snapshot: snapshot) {
            guard let (index, tail) = try locate(row.key) else { continue }
            periods[index].exceptions[String(decoding: tail, as: UTF8.self), default: 0] +=
                RollupRow.decode(row.value).first ?? 0
        }

        var response = Oms_V1_FulfillmentReportResponse()
        for (index, accumulator) in periods.enumerated() {
            var row = Oms_V1_FulfillmentReportRow()
            row.periodStart = calendar.periodStarts[index]
            row.orders = accumulator.orders
            for stage in OrderContribution.Stage.allCases {
                let counts = accumulator.stages[stage.rawValue] ?? []
                var durations = Oms_V1_StageDurations()
                durations.stage = Oms_V1_FulfillmentStage(rawValue: Int32(stage.rawValue))
                durations.count = counts.reduce(0, +)
                durations.p50Millis = DurationHistogram.percentile(counts, percent: 50)
                durations.p90Millis = DurationHistogram.percentile(counts, percent: 90)
                durations.p99Millis = DurationHistogram.percentile(counts, percent: 99)
                row.stages.append(durations)
                if stage == .shipment {
                    row.lateShipments = counts.dropFirst(late.firstBucket).reduce(0, +)
                }
            }
            row.lateThresholdMillis = late.millis
            for (reason, orders) in accumulator.exceptions.sorted(by: { $0.key < $1.key }) where orders != 0 {
                var exception = Oms_V1_ExceptionCount()
                exception.reason = reason
                exception.orders = orders
                row.exceptions.append(exception)
            }
            response.rows.append(row)
        }
        return response
    }
}
