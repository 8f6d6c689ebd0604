/// Lays rows out in aligned columns that fit the terminal width.
///
/// Columns marked `shrinkable` give up width, lowest `shrinkOrder` first
/// (names before identifiers, since a cut identifier is hard to use), and
/// their cells are cut with `…`; the others (prices, versions) keep their
/// full width.
struct TableFormatter {
    struct Column {
        var title: String
        var alignRight = false
        var shrinkable = false
        /// A shrinkable column never gets narrower than this (or its title).
        var minimumWidth = 8
        /// Shrinkable columns with a lower value give up width first.
        var shrinkOrder = 0
    }

    var columns: [Column]
    var rows: [[String]] = []
    var width = 80
    var separator = "  "

    init(columns: [Column], width: Int = 80) {
        self.columns = columns
        self.width = width
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a table row needs one cell per column")
        rows.append(row.map(Self.singleLine))
    }

    /// Header and rows, one line each, every line ending in a newline.
    func render() -> String {
        let widths = columnWidths()
        var output = ""
        let header = columns.map { $0.title.uppercased() }
        for row in [header] + rows {
            var cells: [String] = []
            for (index, cell) in row.enumerated() {
                let text = TerminalWidth.truncate(cell, to: widths[index])
                // No trailing spaces after the last column.
                let isLast = index == row.count - 1
                cells.append(
                    isLast && !columns[index].alignRight
                        ? text : TerminalWidth.pad(text, to: widths[index], alignRight: columns[index].alignRight))
            }
            output += cells.joined(separator: separator) + "\n"
        }
        return output
    }

    private func columnWidths() -> [Int] {
        var widths = columns.map { TerminalWidth.of($0.title) }
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], TerminalWidth.of(cell)) }
        }
        var excess = widths.reduce(0, +) + separator.count * max(0, columns.count - 1) - width
        // Take one column at a time from the widest shrinkable column above its
        // floor, among those whose turn it is (lowest shrinkOrder).
        while excess > 0 {
            let above = columns.indices.filter {
                columns[$0].shrinkable
                    && widths[$0] > max(columns[$0].minimumWidth, TerminalWidth.of(columns[$0].title))
            }
            guard let turn = above.map({ columns[$0].shrinkOrder }).min() else { break }
            let candidates = above.filter { columns[$0].shrinkOrder == turn }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
            excess -= 1
        }
        return widths
    }

    /// Tabs and line breaks would break the layout; show them as spaces.
    private static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

/// A two-column `field  value` listing for a single record.
struct DetailFormatter {
    var pairs: [(String, String)] = []
    var width = 80

    mutating func append(_ label: String, _ value: String) {
        pairs.append((label, value))
    }

    func render() -> String {
        let labelWidth = pairs.map { TerminalWidth.of($0.0) }.max() ?? 0
        var output = ""
        for (label, value) in pairs {
            let prefix = TerminalWidth.pad(label, to: labelWidth, alignRight: false) + "  "
            // Multi-line values (descriptions) continue under the value column.
            let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                output += (index == 0 ? prefix : String(repeating: " ", count: TerminalWidth.of(prefix))) + line + "\n"
            }
        }
        return output
    }
}
