/// Reads the stock import CSV: `sku,warehouse,delta,reason[,location]`, one
/// row a line (RFC 4180 quoting, LF or CRLF), an optional header row
/// starting with `sku,`. Lines that do not parse become failures with their
/// line number, like the rows the server refuses.
struct StockCSVReader {
    struct Failure {
        var line: UInt64
        var field: String
        var message: String
    }

    var rows: [OMSClientRow] = []
    var failures: [Failure] = []

    typealias OMSClientRow = (
        line: UInt64, sku: String, warehouse: String, delta: Int64, reason: String, location: String
    )

    init(text: String) {
        var lineNumber: UInt64 = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = Self.fields(line)
            if lineNumber == 1, fields.first?.lowercased() == "sku" { continue }
            guard fields.count == 4 || fields.count == 5 else {
                failures.append(
                    Failure(
                        line: lineNumber, field: "line",
                        message: "expected sku,warehouse,delta,reason[,location], got \(fields.count) fields"))
                continue
            }
            guard let delta = Int64(fields[2].trimmingSpaces) else {
                failures.append(Failure(line: lineNumber, field: "delta", message: "'\(fields[2])' is not an integer"))
                continue
            }
            rows.append(
                (
                    lineNumber, fields[0].trimmingSpaces, fields[1].trimmingSpaces, delta, fields[3],
                    fields.count == 5 ? fields[4].trimmingSpaces : ""
                ))
        }
    }

    /// The fields of one line; quoted fields may contain commas and doubled quotes.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            current.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
