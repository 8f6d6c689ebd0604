import ArgumentParser
import Foundation

struct StockGenerateCSVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-csv",
        abstract: "Write a sample import CSV (for benchmarks): every Nth row is invalid (delta 0).",
        discussion: """
            Rows cycle through --skus skus (BENCH-0001, ...) in --warehouse, delta 1; the
            line numbers of the invalid rows go to standard error. No server is needed;
            create the warehouse before importing.

            EXAMPLES
              omsctl stock generate-csv bulk.csv --rows 100000 --invalid-every 100
              omsctl warehouses create BENCH && omsctl stock import bulk.csv
            """
    )

    @Argument(help: ArgumentHelp("The file to write.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Data rows (after the header).", valueName: "n"))
    var rows: Int = 100_000

    @Option(
        name: .customLong("invalid-every"), help: ArgumentHelp("Every Nth row is invalid; 0 = none.", valueName: "n"))
    var invalidEvery: Int = 100

    @Option(help: ArgumentHelp("The warehouse code.", valueName: "code"))
    var warehouse: String = "BENCH"

    @Option(help: ArgumentHelp("How many distinct skus.", valueName: "n"))
    var skus: Int = 100

    func validate() throws {
        if rows < 1 || rows > 10_000_000 { throw ValidationError("--rows must be from 1 to 10000000") }
        if invalidEvery < 0 { throw ValidationError("--invalid-every must not be negative") }
        if skus < 1 || skus > 9999 { throw ValidationError("--skus must be from 1 to 9999") }
    }

    func run() async throws {
        var text = "sku,warehouse,delta,reason\n"
        text.reserveCapacity(rows * 32)
        var invalid = 0
        for index in 1...rows {
            let sku = "BENCH-" + String(repeating: "0", count: 4 - String(index % skus).count) + String(index % skus)
            let bad = invalidEvery > 0 && index % invalidEvery == 0
            if bad { invalid += 1 }
            text += "\(sku),\(warehouse),\(bad ? 0 : 1),bench\n"
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw CLIError("cannot write \(file)")
        }
        // Line numbers count the header as line 1.
        Console.error(
            "wrote \(rows) rows to \(file); \(invalid) invalid, at lines \(invalidEvery + 1), \(2 * invalidEvery + 1), ..."
        )
    }
}
