/// Table, JSON or CSV output of flat string rows for the stock commands.
/// JSON keys are the header names; columns named in `numeric` are numbers.
enum StockTables {
    static func print(header: [String], rows: [[String]], numeric: Set<String>, format: OutputFormat) {
        switch format {
        case .table:
            var table = TableFormatter(
                columns: header.map { .init(title: title($0), alignRight: numeric.contains($0)) },
                width: Console.width)
            for row in rows { table.append(row.map { $0.isEmpty ? "-" : $0 }) }
            Console.out(table.render())
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        rows.map { row in
                            var object: [String: JSONValue] = [:]
                            for (name, value) in zip(header, row) {
                                object[name] = numeric.contains(name) ? .int64(Int64(value) ?? 0) : .string(value)
                            }
                            return .object(object)
                        })))
        case .csv:
            var csv = CSVWriter(header: header)
            for row in rows { csv.appendRow(row) }
            Console.out(csv.text)
        }
    }

    /// `onHandAfter` → `on hand after`.
    static func title(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase {
                out += " " + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }
}
