import ArgumentParser
import Foundation
import OMSClient

struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Sales and fulfilment reports (from rollups: milliseconds at any size).",
        discussion: """
            Dates are local days in --tz (IANA name, default UTC), both ends inclusive;
            without --from/--to the last 30 days up to today. Money is printed in major
            units of each currency; currencies are never added together.

            EXAMPLES
              omsctl reports sales --from 2026-03-01 --to 2026-03-31 --by day --dimension channel
              omsctl reports sales --by month --dimension sku --currency EUR -o csv
              omsctl reports sales --by day --chart sparkline
              omsctl reports fulfilment --by week --late-after 24
              omsctl reports customers --top 20
              omsctl reports inventory --warehouse MAIN --chart bar
              omsctl reports rebuild --repair
            """,
        subcommands: [
            ReportsSalesCommand.self, ReportsFulfilmentCommand.self, ReportsCustomersCommand.self,
            ReportsInventoryCommand.self, ReportsDefineCommand.self, ReportsDefinitionsCommand.self,
            ReportsRunCommand.self, ReportsRunsCommand.self, ReportsRebuildCommand.self,
        ]
    )
}

/// The date range and time zone every report takes.
struct ReportRangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (default: 29 days before --to).", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("Last day, YYYY-MM-DD, inclusive (default: today in --tz).", valueName: "date"))
    var to: String?
    @Option(help: ArgumentHelp("IANA time zone of the days (default UTC).", valueName: "zone"))
    var tz: String = "UTC"

    func validate() throws {
        guard TimeZone(identifier: tz) != nil else { throw ValidationError("--tz: unknown time zone '\(tz)'") }
    }

    var range: Oms_V1_ReportRange {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: tz) ?? TimeZone(identifier: "UTC")!
        func format(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        let today = Date()
        let last = to ?? format(today)
        let first = from ?? format(calendar.date(byAdding: .day, value: -29, to: today)!)
        return .with {
            $0.fromDate = first
            $0.toDate = last
            $0.timeZone = tz
        }
    }
}

enum ReportPeriodArgument: String, CaseIterable, ExpressibleByArgument {
    case day, week, month, total
    var proto: Oms_V1_ReportPeriod {
        switch self {
        case .day: .day
        case .week: .week
        case .month: .month
        case .total: .total
        }
    }
}

enum ReportChart: String, CaseIterable, ExpressibleByArgument {
    case bar, sparkline
}

struct ReportsRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute the rollups from the orders and show differing rows (admin).",
        discussion: "Exits 0 when the rollups match; with --repair the differing rows are rewritten.")

    @Flag(help: "Rewrite the rows that differ.")
    var repair = false
    @Option(name: .customLong("max-differences"), help: ArgumentHelp("Rows to describe (1-1000).", valueName: "n"))
    var maxDifferences: Int32 = 20

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let response = try await global.withClient { client in
            try await client.reports.rebuildRollups(repair: repair, maxDifferences: maxDifferences)
        }
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "ordersScanned": .int64(response.ordersScanned), "rowsExpected": .int64(response.rowsExpected),
                        "rowsStored": .int64(response.rowsStored), "rowsDifferent": .int64(response.rowsDifferent),
                        "repaired": .bool(response.repaired),
                        "differences": .array(
                            response.differences.map {
                                .object([
                                    "key": .string($0.key), "stored": .string($0.stored),
                                    "expected": .string($0.expected),
                                ])
                            }),
                    ])))
        default:
            var csv = CSVWriter(header: ["key", "stored", "expected"])
            var table = TableFormatter(
                columns: [.init(title: "key", shrinkable: true), .init(title: "stored"), .init(title: "expected")],
                width: Console.width)
            for difference in response.differences {
                csv.appendRow([difference.key, difference.stored, difference.expected])
                table.append([difference.key, difference.stored, difference.expected])
            }
            if global.output == .csv {
                Console.out(csv.text)
            } else if !response.differences.isEmpty {
                Console.out(table.render())
            }
            Console.error(
                "\(response.ordersScanned) orders, \(response.rowsExpected) rows expected, \(response.rowsStored) stored, \(response.rowsDifferent) different\(response.repaired ? ", repaired" : "")"
            )
        }
    }
}
