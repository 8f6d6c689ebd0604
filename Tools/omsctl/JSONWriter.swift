/// A JSON value, written with sorted keys and two-space indentation so the
/// output is stable from run to run (diffable, testable).
///
/// Field names and enum values follow the proto3 JSON mapping
/// (lowerCamelCase names, enum value names as strings, bytes as base64).
/// One deliberate difference: 64-bit integers are JSON numbers when their
/// magnitude is below 2^53 (exact in every JSON parser) and strings beyond
/// that, where proto3 JSON always uses strings.
indirect enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    /// A number already written as JSON, e.g. `1.234` (for measured durations).
    case number(String)
    case bool(Bool)
    case null

    /// An int64 as proto3-style JSON: a number when exact in a double, a string otherwise.
    static func int64(_ value: Int64) -> JSONValue {
        value.magnitude < 1 << 53 ? .int(value) : .string(String(value))
    }

    /// A uint64 as proto3-style JSON: a number when exact in a double, a string otherwise.
    static func uint64(_ value: UInt64) -> JSONValue {
        value < 1 << 53 ? .uint(value) : .string(String(value))
    }
}

enum JSONWriter {
    /// The value as pretty-printed JSON followed by a newline.
    static func render(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: 0, into: &output)
        return output + "\n"
    }

    /// The value as JSON on one line without spaces (for a CSV cell).
    static func renderCompact(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: nil, into: &output)
        return output
    }

    /// `indent` nil writes compact JSON.
    private static func write(_ value: JSONValue, indent: Int?, into output: inout String) {
        let newline = indent == nil ? "" : "\n"
        let inner = indent.map { String(repeating: "  ", count: $0 + 1) } ?? ""
        let outer = indent.map { String(repeating: "  ", count: $0) } ?? ""
        let deeper = indent.map { $0 + 1 }
        switch value {
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{" + newline
            // Sorted by UTF-8 bytes, as `jq -S` and most JSON canonicalisers do.
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (index, key) in keys.enumerated() {
                output += inner + quoted(key) + (indent == nil ? ":" : ": ")
                write(members[key]!, indent: deeper, into: &output)
                output += (index == keys.count - 1 ? "" : ",") + newline
            }
            output += outer + "}"
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "[" + newline
            for (index, element) in elements.enumerated() {
                output += inner
                write(element, indent: deeper, into: &output)
                output += (index == elements.count - 1 ? "" : ",") + newline
            }
            output += outer + "]"
        case .string(let text): output += quoted(text)
        case .int(let number): output += String(number)
        case .uint(let number): output += String(number)
        case .number(let literal): output += literal
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
