import Foundation
import Testing

/// util-linux `script`, which runs a command in a pseudo-terminal; nil when missing.
let scriptPath: String? = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// omsctl on a terminal: `script -qec "<omsctl ...>" /dev/null` gives it a pty as
/// standard input, output and error, as in an interactive shell.
@Suite(
    "omsctl on a terminal",
    .enabled(if: scriptPath != nil, "needs util-linux `script` (Debian package bsdutils) to run omsctl in a pty"))
struct TerminalTests {
    /// Runs omsctl in a pty, after the shell command `setup` if given; the
    /// transcript with CRLF turned back into LF.
    static func runInTerminal(
        _ omsctl: Omsctl, _ arguments: [String], setup: String? = nil
    ) async throws
        -> Omsctl.Output
    {
        var command = ([omsctl.executable] + arguments).map(shellQuoted).joined(separator: " ")
        if let setup { command = setup + "; " + command }
        var output = try await Omsctl.spawn(
            scriptPath!, ["-qec", command, "/dev/null"], environment: omsctl.baseEnvironment,
            directory: omsctl.workspace.path)
        output.stdout = output.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        return output
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @Test("products list renders aligned columns no wider than 80, cutting long names with …")
    func table() async throws {
        try await withDaemon { omsd, omsctl in
            let longName = "Extra large insulated travel mug with a leak-proof lid, 750 ml, matte midnight blue"
            try await omsd.seed([
                product("MUG-1", name: "Blue mug", price: 899, currency: "EUR"),
                product("MUG-22", name: longName, price: 123_456),
                product("TEA-333", name: "Sencha", price: 1200, currency: "JPY"),
            ])
            let terminal = try await Self.runInTerminal(omsctl, ["products", "list"] + omsd.flags)
            #expect(terminal.status == 0, "transcript: \(terminal.stdout)")
            let lines = terminal.stdout.split(separator: "\n").map(String.init)
            try #require(lines.count == 4, "expected a header and 3 rows:\n\(terminal.stdout)")

            let header = lines[0]
            for line in lines { #expect(line.count <= 80, "wider than 80 columns: \(line)") }
            let titles = ["SKU", "NAME", "PRICE", "STATUS", "VERSION"]
            let starts = titles.compactMap { title in
                header.range(of: title).map { header.distance(from: header.startIndex, to: $0.lowerBound) }
            }
            try #require(starts.count == 5 && starts == starts.sorted() && starts[0] == 0, "header: \(header)")
            let (name, priceEnd, status, versionEnd) = (starts[1], starts[2] + 5, starts[3], starts[4] + 7)

            let expected: [(sku: String, name: String, price: String)] = [
                ("MUG-1", "Blue mug", "EUR 8.99"), ("MUG-22", "Extra large", "USD 1234.56"),
                ("TEA-333", "Sencha", "JPY 1200"),
            ]
            for (line, row) in zip(lines.dropFirst(), expected) {
                let cells = Array(line)
                func text(_ from: Int, _ to: Int) -> String {
                    String(cells[min(from, cells.count)..<min(to, cells.count)])
                }
                // Left-aligned columns start where their title starts, after at least one space.
                #expect(text(0, name).trimmingCharacters(in: .whitespaces) == row.sku, "\(line)")
                #expect(text(name - 1, name) == " " && text(name, name + row.name.count) == row.name, "\(line)")
                #expect(text(status, status + 6) == "active", "\(line)")
                #expect(text(status - 1, status) == " ", "\(line)")
                // Right-aligned columns end where their title ends.
                #expect(text(priceEnd - row.price.count, priceEnd) == row.price, "\(line)")
                #expect(text(priceEnd, priceEnd + 1) == " ", "\(line)")
                #expect(cells.count == versionEnd && text(versionEnd - 1, versionEnd) == "1", "\(line)")
            }
            #expect(lines[2].contains("…"), "the long name is cut: \(lines[2])")
            #expect(!lines[2].contains("matte midnight blue"))

            // The same table when standard output is a pipe: no colours, cursor moves or progress.
            let piped = try await omsctl.run(["products", "list"] + omsd.flags)
            #expect(piped.status == 0)
            #expect(piped.stdout == terminal.stdout)
            #expect(!terminal.stdout.contains("\u{1B}"))
        }
    }

    @Test("the table fits the width: $COLUMNS when set, else the terminal's own size")
    func width() async throws {
        try await withDaemon { omsd, omsctl in
            let longName = "Extra large insulated travel mug with a leak-proof lid, 750 ml, matte midnight blue"
            try await omsd.seed([product("MUG-22", name: longName), product("MUG-3", name: "Cup")])

            let narrow = try await omsctl.run(["products", "list"] + omsd.flags, environment: ["COLUMNS": "60"])
            #expect(narrow.status == 0)
            let narrowLines = narrow.stdout.split(separator: "\n")
            #expect(narrowLines.count == 3)
            for line in narrowLines { #expect(line.count <= 60, "wider than $COLUMNS=60: \(line)") }

            // A 50-column terminal without $COLUMNS exported (the usual interactive shell).
            let terminal = try await Self.runInTerminal(
                omsctl, ["products", "list"] + omsd.flags, setup: "stty cols 50")
            #expect(terminal.status == 0, "transcript: \(terminal.stdout)")
            let lines = terminal.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            for line in lines { #expect(line.count <= 50, "wider than the 50-column terminal: \(line)") }
        }
    }

    @Test("products list --all over many pages: anything beyond the table appears only on a terminal")
    func manyPages() async throws {
        try await withDaemon { omsd, omsctl in
            let skus = (0..<1200).map { "P-" + String(10_000 + $0).dropFirst() }
            try await omsd.seed(skus.map { product($0) })

            // Piped: standard output is only the data and standard error stays empty.
            let piped = try await omsctl.run(["products", "list", "--all", "-o", "csv"] + omsd.flags)
            #expect(piped.status == 0, "stderr: \(piped.stderr)")
            #expect(
                piped.stderr.isEmpty, "progress or other text on a non-terminal stderr: \(piped.stderr.prefix(200))")
            let rows = CSV.parse(piped.stdout)
            #expect(rows.count == 1201)
            #expect(rows.dropFirst().map { $0.first ?? "" } == skus)

            let pipedTable = try await omsctl.run(["products", "list", "--all"] + omsd.flags)
            #expect(pipedTable.stderr.isEmpty)
            #expect(!pipedTable.stdout.contains("\r"))
            #expect(pipedTable.stdout.split(separator: "\n").count == 1201)

            // On a terminal every row is still there, each on its own line; whatever
            // else is drawn (a progress line) must not be mixed into them.
            let terminal = try await Self.runInTerminal(omsctl, ["products", "list", "--all"] + omsd.flags)
            #expect(terminal.status == 0)
            let rowLines = terminal.stdout.split(separator: "\n").filter { $0.hasPrefix("P-") }
            #expect(rowLines.count == 1200)
            #expect(rowLines.map { String($0.prefix { $0 != " " }) } == skus)
        }
    }
}
