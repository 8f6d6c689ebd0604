/// RFC 4180 CSV: CRLF line ends, fields with a comma, double quote, CR or LF
/// quoted with quotes doubled.
enum CSVEncoder {
    static func append(_ row: [ReportCell], to output: inout [UInt8]) {
        for (index, cell) in row.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            switch cell {
            case .integer(let value): output += Array(String(value).utf8)
            case .text(let text):
                let bytes = Array(text.utf8)
                let quote = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
                if !quote {
                    output += bytes
                    continue
                }
                output.append(0x22)
                for byte in bytes {
                    output.append(byte)
                    if byte == 0x22 { output.append(0x22) }
                }
                output.append(0x22)
            }
        }
        output += [0x0D, 0x0A]
    }
}
