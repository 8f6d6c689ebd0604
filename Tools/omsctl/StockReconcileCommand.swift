import ArgumentParser
import OMSClient

struct StockReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Check reserved quantities against open reservations; --repair fixes them.",
        discussion: """
            Lists orphan reservations (their order is gone or closed) and levels whose
            reserved quantity differs from their open reservations. Without --repair
            nothing changes; exit status 6 when anything is inconsistent and not repaired.

            EXAMPLES
              omsctl stock reconcile
              omsctl stock reconcile --repair -o json
            """
    )

    @Flag(help: "Release orphan reservations and correct the levels (ledger rows with reason 'reconciler').")
    var repair = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let report = try await global.withClient { client in
            try await client.inventory.reconcileReservations(repair: repair)
        }
        var rows: [[String]] = report.orphans.map {
            ["orphan", $0.sku, $0.warehouseCode, String($0.quantity), "\($0.orderID) line \($0.lineIndex): \($0.why)"]
        }
        rows += report.mismatches.map {
            [
                "mismatch", $0.sku, $0.warehouseCode, String($0.difference),
                "reserved \($0.reserved), open \($0.openReservations)",
            ]
        }
        StockTables.print(
            header: ["problem", "sku", "warehouseCode", "quantity", "detail"], rows: rows, numeric: ["quantity"],
            format: global.output)
        Console.error(
            "\(report.levelsChecked) levels and \(report.reservationsChecked) reservations checked; "
                + "\(report.orphans.count) orphans, \(report.mismatches.count) mismatches"
                + (report.repaired ? "; repaired with \(report.moves.count) ledger rows" : ""))
        if !rows.isEmpty && !report.repaired { throw ExitCode(ExitStatus.rejected) }
    }
}
