import ArgumentParser
import Foundation
import OMSClient

struct StockStocktakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stocktake",
        abstract: "Stocktaking: start (snapshot), count (streamed from a CSV), variance, commit.",
        discussion: """
            A count is compared with the on-hand when it is recorded, and the commit adds
            each variance to the on-hand then, so movements during and after the count
            are kept. The counts CSV has sku,location,counted per line (location may be
            empty for unassigned stock; an optional header starting with "sku" is skipped).

            EXAMPLES
              omsctl stock stocktake start MAIN --location A-01
              omsctl stock stocktake count stk_01KB... counts.csv
              omsctl stock stocktake variance stk_01KB... -o csv
              omsctl stock stocktake commit stk_01KB...
            """,
        subcommands: [
            StockStocktakeStartCommand.self, StockStocktakeCountCommand.self, StockStocktakeVarianceCommand.self,
            StockStocktakeCommitCommand.self,
        ]
    )

    static func print(_ stocktake: Oms_V1_Stocktake, format: OutputFormat) {
        StockTables.print(
            header: [
                "id", "sku", "locationCode", "snapshotQuantity", "countedQuantity", "movementsDuringCount", "variance",
                "varianceValueMinor",
            ],
            rows: stocktake.lines.map {
                [
                    stocktake.id, $0.sku, $0.locationCode, String($0.snapshotQuantity),
                    $0.counted ? String($0.countedQuantity) : "", String($0.movementsDuringCount), String($0.variance),
                    String($0.varianceValueMinor),
                ]
            },
            numeric: ["snapshotQuantity", "movementsDuringCount", "variance", "varianceValueMinor"], format: format)
    }
}

struct StockStocktakeStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a stocktake.")
    @Argument var warehouse: String
    @Option(help: "Only this location (repeatable).") var location: [String] = []
    @Option(help: "Only this sku (repeatable).") var sku: [String] = []
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let stocktake = try await global.withClient { client in
            try await client.inventory.startStocktake(warehouse: warehouse, locations: location, skus: sku)
        }
        if global.output == .table { Console.error("stocktake \(stocktake.id) started") }
        StockStocktakeCommand.print(stocktake, format: global.output)
    }
}

struct StockStocktakeCountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Stream counts from a CSV (sku,location,counted); exit 6 if any was refused.")
    @Argument var id: String
    @Argument(completion: .file(extensions: ["csv"])) var file: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)", exitCode: ExitStatus.usage)
        }
        var rows: [OMSClient.Inventory.StocktakeCountRow] = []
        var bad: [(UInt64, String)] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || (offset == 0 && line.lowercased().hasPrefix("sku")) { continue }
            let fields = StockCSVReader.fields(Substring(line))
            guard fields.count == 3, let counted = Int64(fields[2]) else {
                bad.append((UInt64(offset + 1), "expected sku,location,counted"))
                continue
            }
            rows.append(.init(rowNumber: UInt64(offset + 1), sku: fields[0], location: fields[1], counted: counted))
        }
        let response = try await global.withClient { client in
            try await client.inventory.recordCounts(stocktakeID: id, CountRows(rows: rows))
        }
        var failures = bad.map { [String($0.0), "INVALID_ARGUMENT", "line", $0.1] }
        failures += response.failures.map { [String($0.rowNumber), $0.code, $0.field, $0.message] }
        failures.sort { UInt64($0[0])! < UInt64($1[0])! }
        if !failures.isEmpty {
            StockTables.print(
                header: ["line", "code", "field", "message"], rows: failures, numeric: ["line"], format: global.output)
        }
        Console.error("\(response.countsRecorded) of \(rows.count + bad.count) counts recorded")
        if !failures.isEmpty { throw ExitCode(ExitStatus.rejected) }
    }
}

/// Counts as an async sequence (the SDK streams any `AsyncSequence`).
struct CountRows: AsyncSequence, Sendable {
    typealias Element = OMSClient.Inventory.StocktakeCountRow
    let rows: [Element]

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[Element]>
        mutating func next() async -> Element? { base.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: rows.makeIterator()) }
}

struct StockStocktakeVarianceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "variance", abstract: "Show every line's variance.")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let stocktake = try await global.withClient { client in try await client.inventory.stocktakeVariance(id: id) }
        StockStocktakeCommand.print(stocktake, format: global.output)
    }
}

struct StockStocktakeCommitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Write the variances to the ledger and close the stocktake.")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let response = try await global.withClient { client in try await client.inventory.commitStocktake(id: id) }
        if global.output == .table { Console.error("\(response.moves.count) ledger rows written") }
        StockStocktakeCommand.print(response.stocktake ?? .init(), format: global.output)
    }
}
