import Foundation
import Testing

@Suite(
    "omsctl stock import on a terminal",
    .enabled(if: scriptPath != nil, "needs util-linux `script` to run omsctl in a pty"))
struct StockImportTerminalTests {
    @Test("a progress bar is drawn in place and ends at 100%; piped, the same import prints none")
    func progressBar() async throws {
        try await withDaemon { omsd, omsctl in
            _ = try await omsctl.run(["warehouses", "create", "BENCH"] + omsd.flags)
            let file = omsctl.workspace.path + "/bulk.csv"
            _ = try await omsctl.run(["stock", "generate-csv", file, "--rows", "3000", "--invalid-every", "0"])
            let terminal = try await TerminalTests.runInTerminal(omsctl, ["stock", "import", file] + omsd.flags)
            #expect(terminal.status == 0, "transcript: \(terminal.stdout)")
            #expect(terminal.stdout.contains("\r["), "redrawn in place: \(terminal.stdout)")
            #expect(terminal.stdout.contains("] 100%  3000/3000 rows\n"), "\(terminal.stdout)")
            #expect(terminal.stdout.contains("3000 of 3000 rows applied, 0 failed"))

            let piped = try await omsctl.run(["stock", "import", file] + omsd.flags)
            #expect(piped.status == 0 && !piped.stderr.contains("%"), "\(piped.stderr)")
        }
    }
}
