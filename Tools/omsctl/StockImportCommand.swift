import ArgumentParser
import Foundation
import OMSClient

struct StockImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Apply a CSV of stock adjustments in one streamed call (BulkAdjustStock).",
        discussion: """
            The file has one adjustment a line: sku,warehouse,delta,reason[,location]
            (an optional header row starting with "sku" is skipped; fields may be quoted).
            Each row is validated and applied on its own: bad rows are listed (line number,
            code, field, message) on standard output and never stop the others. A progress
            bar is drawn on standard error when standard output is a terminal; the summary
            with rows/s always goes to standard error.

            Exit status: 0 when every row was applied, 6 when any row failed (or the whole
            call was refused), as for other commands otherwise.

            EXAMPLES
              omsctl stock import counts.csv
              omsctl stock import counts.csv --request-id import-2026-01-05 -o json > failures.json
            """
    )

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file"), completion: .file(extensions: ["csv"]))
    var file: String

    @Option(
        name: .customLong("request-id"),
        help: ArgumentHelp("Idempotency key: re-running the same file applies each row once.", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)", exitCode: ExitStatus.usage)
        }
        let csv = StockCSVReader(text: text)
        let rows = csv.rows.map {
            OMSClient.Inventory.AdjustmentRow(
                rowNumber: $0.line, sku: $0.sku, warehouse: $0.warehouse, delta: $0.delta, reason: $0.reason,
                location: $0.location)
        }
        let progress = StockProgress()
        let bar = StockProgressBar(total: rows.count)
        let started = ContinuousClock.now
        let response = try await global.withClient { client in
            let drawing = Task {
                while !Task.isCancelled {
                    bar.draw(progress.sent.load(ordering: .relaxed))
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { drawing.cancel() }
            return try await client.inventory.bulkAdjustStock(
                CountingRows(rows: rows, progress: progress), requestID: requestID)
        }
        bar.finish()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        var failures: [(line: UInt64, code: String, field: String, message: String)] =
            csv.failures.map { ($0.line, "INVALID_ARGUMENT", $0.field, $0.message) }
        failures += response.failures.map { ($0.rowNumber, $0.code, $0.field, $0.message) }
        failures.sort { $0.line < $1.line }
        if !failures.isEmpty || global.output != .table {
            StockTables.print(
                header: ["line", "code", "field", "message"],
                rows: failures.map { [String($0.line), $0.code, $0.field, $0.message] }, numeric: ["line"],
                format: global.output)
        }
        let total = csv.rows.count + csv.failures.count
        let rate = seconds > 0 ? Int(Double(total) / seconds) : total
        Console.error(
            "\(response.rowsApplied) of \(total) rows applied, \(failures.count) failed, in "
                + "\(String(format: "%.2f", seconds)) s (\(rate) rows/s)")
        if !failures.isEmpty { throw ExitCode(ExitStatus.rejected) }
    }
}

/// The rows as an async sequence that counts what the call has taken, for
/// the progress bar.
struct CountingRows: AsyncSequence, Sendable {
    typealias Element = OMSClient.Inventory.AdjustmentRow
    let rows: [Element]
    let progress: StockProgress

    struct AsyncIterator: AsyncIteratorProtocol {
        let rows: [Element]
        let progress: StockProgress
        var index = 0

        mutating func next() async -> Element? {
            guard index < rows.count else { return nil }
            defer { index += 1 }
            progress.sent.store(index + 1, ordering: .relaxed)
            return rows[index]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: rows, progress: progress) }
}
