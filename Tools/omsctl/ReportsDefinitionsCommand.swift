import ArgumentParser
import OMSClient

/// `omsctl reports define|definitions|run|runs`: custom (saved) reports.
struct ReportsDefineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "define",
        abstract: "Save a custom sales (or --fulfilment) report: dimension, period, filters, metrics, last N days.",
        discussion: """
            EXAMPLES
              omsctl reports define --id weekly-web --name "Web sales, last 7 days" \\
                  --dimension sku --by day --channel web --last-days 7 --metric revenue_minor --metric units
              omsctl reports run weekly-web -o csv
            """)

    @Option(help: ArgumentHelp("Definition id, [A-Za-z0-9._-].", valueName: "id"))
    var id: String
    @Option(help: ArgumentHelp("Name.", valueName: "text"))
    var name: String
    @Flag(help: "A fulfilment report instead of a sales report.")
    var fulfilment = false
    @Option(
        name: .customLong("last-days"),
        help: ArgumentHelp("Each run covers the last N whole days (default 7).", valueName: "n"))
    var lastDays: Int32 = 7
    @Option(help: ArgumentHelp("IANA time zone of the days (default UTC).", valueName: "zone"))
    var tz: String = ""
    @Option(help: ArgumentHelp("Period: day, week, month or total.", valueName: "period"))
    var by: ReportPeriodArgument = .day
    @Option(help: ArgumentHelp("Sales: none, channel, sku, customer or warehouse.", valueName: "dimension"))
    var dimension: SalesDimensionArgument = .none
    @Option(help: ArgumentHelp("Sales: only this currency.", valueName: "code"))
    var currency: String = ""
    @Option(
        name: .customLong("channel"), help: ArgumentHelp("Only this channel; repeat for more.", valueName: "channel"))
    var channels: [String] = []
    @Option(
        name: .customLong("metric"),
        help: ArgumentHelp("Sales column to keep (e.g. revenue_minor); repeat.", valueName: "name"))
    var metrics: [String] = []
    @Option(help: ArgumentHelp("Run automatically: daily or weekly.", valueName: "frequency"))
    var schedule: ScheduleArgument?
    @Option(
        name: .customLong("at-hour"),
        help: ArgumentHelp("Local hour of scheduled runs, 0-23 (in --tz).", valueName: "h"))
    var atHour: Int32 = 6
    @Option(help: ArgumentHelp("Weekly runs: ISO weekday, 1 = Monday .. 7 = Sunday.", valueName: "n"))
    var weekday: Int32 = 1
    @Option(name: .customLong("expected-version"), help: ArgumentHelp("Replace only this version.", valueName: "n"))
    var expectedVersion: Int64 = 0

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var definition = Oms_V1_ReportDefinition()
        definition.id = id
        definition.name = name
        definition.lastDays = lastDays
        definition.metrics = metrics
        let range = Oms_V1_ReportRange.with { $0.timeZone = tz }
        if fulfilment {
            definition.fulfillment = .with {
                $0.range = range
                $0.period = by.proto
                $0.channels = channels
            }
        } else {
            definition.sales = .with {
                $0.range = range
                $0.period = by.proto
                $0.dimension = dimension.proto
                $0.currencyCode = currency.uppercased()
                $0.channels = channels
            }
        }
        if let schedule {
            definition.schedule = .with {
                $0.frequency = schedule == .daily ? .daily : .weekly
                $0.hour = atHour
                $0.weekday = schedule == .weekly ? weekday : 0
                $0.timeZone = tz
            }
        }
        let (saved, created) = try await global.withClient { client in
            try await client.reports.saveDefinition(definition, expectedVersion: expectedVersion)
        }
        Console.error(
            "\(created ? "created" : "updated") \(saved.id) (version \(saved.version))"
                + (saved.nextRunAtMillis > 0 ? "; next run \(TimeText.iso8601(millis: saved.nextRunAtMillis))" : ""))
        ReportsDefinitionsCommand.print([saved], format: global.output)
    }
}

enum ScheduleArgument: String, CaseIterable, ExpressibleByArgument {
    case daily, weekly
}

struct ReportsDefinitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "definitions", abstract: "List saved reports.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let page = try await global.withClient { client in try await client.reports.definitions(pageSize: 1000) }
        Self.print(page.items, format: global.output)
    }

    static func print(_ definitions: [Oms_V1_ReportDefinition], format: OutputFormat) {
        func kind(_ d: Oms_V1_ReportDefinition) -> String {
            if case .fulfillment? = d.query { return "fulfilment" }
            return "sales"
        }
        switch format {
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        definitions.map { d in
                            .object([
                                "id": .string(d.id), "name": .string(d.name), "kind": .string(kind(d)),
                                "lastDays": .int64(Int64(d.lastDays)), "metrics": .array(d.metrics.map { .string($0) }),
                                "version": .int64(d.version), "nextRunAtMillis": .int64(d.nextRunAtMillis),
                            ])
                        })))
        case .csv:
            var csv = CSVWriter(header: ["id", "name", "kind", "last_days", "metrics", "version"])
            for d in definitions {
                csv.appendRow([
                    d.id, d.name, kind(d), String(d.lastDays), d.metrics.joined(separator: " "), String(d.version),
                ])
            }
            Console.out(csv.text)
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "id"), .init(title: "name", shrinkable: true), .init(title: "kind"),
                    .init(title: "last days", alignRight: true), .init(title: "version", alignRight: true),
                ], width: Console.width)
            for d in definitions { table.append([d.id, d.name, kind(d), String(d.lastDays), String(d.version)]) }
            Console.out(table.render())
        }
    }
}

struct ReportsRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a saved report now (the run is stored: see `reports runs`).")

    @Argument(help: ArgumentHelp("Definition id.", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let run = try await global.withClient { client in try await client.reports.run(definitionID: id) }
        Console.error("run \(run.id): \(run.range?.fromDate ?? "") .. \(run.range?.toDate ?? "")")
        ReportsRunsCommand.printResult(run, format: global.output)
    }
}

struct ReportsRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Stored runs of a saved report, newest first.")

    @Argument(help: ArgumentHelp("Definition id.", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let page = try await global.withClient { client in
            try await client.reports.runs(definitionID: id, pageSize: 1000)
        }
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        page.items.map { r in
                            .object([
                                "id": .string(r.id), "atMillis": .int64(r.atMillis), "actor": .string(r.actor),
                                "fromDate": .string(r.range?.fromDate ?? ""), "toDate": .string(r.range?.toDate ?? ""),
                                "rows": .int64(Int64((r.sales?.rows.count ?? 0) + (r.fulfillment?.rows.count ?? 0))),
                            ])
                        })))
        default:
            var csv = CSVWriter(header: ["id", "at", "actor", "from", "to", "rows"])
            var table = TableFormatter(
                columns: [
                    .init(title: "run"), .init(title: "at"), .init(title: "actor"), .init(title: "range"),
                    .init(title: "rows", alignRight: true),
                ],
                width: Console.width)
            for r in page.items {
                let rows = String((r.sales?.rows.count ?? 0) + (r.fulfillment?.rows.count ?? 0))
                csv.appendRow([
                    r.id, TimeText.iso8601(millis: r.atMillis), r.actor, r.range?.fromDate ?? "", r.range?.toDate ?? "",
                    rows,
                ])
                table.append([
                    r.id, TimeText.iso8601(millis: r.atMillis), r.actor,
                    "\(r.range?.fromDate ?? "") .. \(r.range?.toDate ?? "")", rows,
                ])
            }
            Console.out(global.output == .csv ? csv.text : table.render())
        }
    }

    /// A run's sales rows (the same columns as `reports sales -o csv`) or fulfilment rows.
    static func printResult(_ run: Oms_V1_ReportRun, format: OutputFormat) {
        if let fulfilment = run.fulfillment {
            var csv = CSVWriter(header: ["period_start", "orders", "late_shipments"])
            for row in fulfilment.rows {
                csv.appendRow([row.periodStart, String(row.orders), String(row.lateShipments)])
            }
            Console.out(csv.text)
            return
        }
        let rows = run.sales?.rows ?? []
        switch format {
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        rows.map { r in
                            .object(
                                Dictionary(
                                    uniqueKeysWithValues: zip(
                                        ReportsSalesCommand.csvHeader,
                                        ReportsSalesCommand.csvFields(r).enumerated().map { index, value in
                                            index < 3 ? JSONValue.string(value) : .int64(Int64(value) ?? 0)
                                        })))
                        })))
        default:
            var csv = CSVWriter(header: ReportsSalesCommand.csvHeader)
            for r in rows { csv.appendRow(ReportsSalesCommand.csvFields(r)) }
            Console.out(csv.text)
        }
    }
}
