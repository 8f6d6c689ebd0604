import ArgumentParser
import Foundation
import OMSClient

struct ReportsFulfilmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulfilment",
        abstract: "Placement to payment, shipment and delivery: p50/p90/p99, exceptions, late shipments.",
        discussion: """
            Durations come from histograms whose buckets grow by 25%: a percentile is the
            upper bound of its bucket, at most 25% above the exact value. --late-after
            is rounded up to a bucket bound (the threshold used is printed).
            """,
        aliases: ["fulfillment"])

    @OptionGroup var range: ReportRangeOptions
    @Option(help: ArgumentHelp("Period: day, week, month or total.", valueName: "period"))
    var by: ReportPeriodArgument = .total
    @Option(
        name: .customLong("channel"), help: ArgumentHelp("Only this channel; repeat for more.", valueName: "channel"))
    var channels: [String] = []
    @Option(
        name: .customLong("late-after"),
        help: ArgumentHelp("Hours to first shipment counted late (default 48).", valueName: "hours"))
    var lateAfter: Int32 = 48
    @Option(help: ArgumentHelp("Also draw p90 to shipment per period as bar or sparkline.", valueName: "chart"))
    var chart: ReportChart?
    @Option(help: ArgumentHelp("Also write the report to a .csv or .xlsx file.", valueName: "file"))
    var export: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !(1...8760).contains(lateAfter) { throw ValidationError("--late-after must be from 1 to 8760 hours") }
        if let export { _ = try ReportExportFile.format(of: export) }
    }

    func run() async throws {
        let request = Oms_V1_FulfillmentReportRequest.with {
            $0.range = range.range
            $0.period = by.proto
            $0.channels = channels
            $0.lateAfterHours = lateAfter
        }
        let response = try await global.withClient { client in
            let response = try await client.reports.fulfillment(request)
            if let export {
                let bytes = try await ReportExportFile.write(
                    client: client, request: .with { $0.fulfillment = request }, to: export)
                Console.error("exported \(bytes) bytes to \(export)")
            }
            return response
        }
        let stages: [(String, Oms_V1_FulfillmentStage)] = [
            ("payment", .payment), ("shipment", .shipment), ("delivery", .delivery),
        ]
        func stage(_ row: Oms_V1_FulfillmentReportRow, _ which: Oms_V1_FulfillmentStage) -> Oms_V1_StageDurations {
            row.stages.first { $0.stage == which } ?? Oms_V1_StageDurations()
        }
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        response.rows.map { row in
                            var object: [String: JSONValue] = [
                                "periodStart": .string(row.periodStart), "orders": .int64(row.orders),
                                "lateShipments": .int64(row.lateShipments),
                                "lateThresholdMillis": .int64(row.lateThresholdMillis),
                                "exceptions": .object(
                                    Dictionary(
                                        uniqueKeysWithValues: row.exceptions.map { ($0.reason, .int64($0.orders)) })),
                            ]
                            for (name, which) in stages {
                                let s = stage(row, which)
                                object[name] = .object([
                                    "count": .int64(s.count), "p50Millis": .int64(s.p50Millis),
                                    "p90Millis": .int64(s.p90Millis), "p99Millis": .int64(s.p99Millis),
                                ])
                            }
                            return .object(object)
                        })))
        case .csv:
            var header = ["period_start", "orders"]
            for (name, _) in stages {
                header += ["count", "p50_millis", "p90_millis", "p99_millis"].map { "\(name)_\($0)" }
            }
            var csv = CSVWriter(header: header + ["late_shipments", "late_threshold_millis", "exceptions"])
            for row in response.rows {
                var fields = [row.periodStart, String(row.orders)]
                for (_, which) in stages {
                    let s = stage(row, which)
                    fields += [String(s.count), String(s.p50Millis), String(s.p90Millis), String(s.p99Millis)]
                }
                fields += [
                    String(row.lateShipments), String(row.lateThresholdMillis),
                    row.exceptions.map { "\($0.reason)=\($0.orders)" }.joined(separator: "; "),
                ]
                csv.appendRow(fields)
            }
            Console.out(csv.text)
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "period"), .init(title: "orders", alignRight: true),
                    .init(title: "pay p50/p90/p99"), .init(title: "ship p50/p90/p99"),
                    .init(title: "deliver p50/p90/p99"), .init(title: "late", alignRight: true),
                    .init(title: "exceptions", shrinkable: true),
                ], width: Console.width)
            for row in response.rows {
                var cells = [row.periodStart.isEmpty ? "total" : row.periodStart, String(row.orders)]
                for (_, which) in stages {
                    let s = stage(row, which)
                    cells.append(
                        s.count == 0
                            ? "-"
                            : [s.p50Millis, s.p90Millis, s.p99Millis].map(Self.duration).joined(separator: "/"))
                }
                cells.append(String(row.lateShipments))
                cells.append(row.exceptions.map { "\($0.reason) \($0.orders)" }.joined(separator: ", "))
                table.append(cells)
            }
            Console.out(table.render())
            if let first = response.rows.first {
                Console.error(
                    "late: first shipment \(Self.duration(first.lateThresholdMillis)) or more after placement")
            }
            if let chart {
                let values = response.rows.map { stage($0, .shipment).p90Millis }
                switch chart {
                case .sparkline: Console.out("\nship p90  " + ReportsChart.sparkline(values))
                case .bar:
                    Console.out(
                        "\n"
                            + ReportsChart.bars(
                                response.rows.map {
                                    let p90 = stage($0, .shipment).p90Millis
                                    return (
                                        $0.periodStart.isEmpty ? "total" : $0.periodStart, "", p90, Self.duration(p90)
                                    )
                                }, width: Console.width))
                }
            }
        }
    }

    /// 45s, 12m, 3.5h, 2.1d.
    static func duration(_ millis: Int64) -> String {
        let seconds = Double(millis) / 1000
        if seconds < 60 { return String(format: "%.0fs", seconds) }
        if seconds < 3600 { return String(format: "%.0fm", seconds / 60) }
        if seconds < 86400 { return String(format: "%.1fh", seconds / 3600) }
        return String(format: "%.1fd", seconds / 86400)
    }
}
