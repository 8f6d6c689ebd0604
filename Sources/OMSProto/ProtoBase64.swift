/// Standard base64 (RFC 4648), shared by everything that carries bytes as
/// text: `-bin` gRPC metadata (sent unpadded), proto3 JSON `bytes` fields
/// (padded), and the descriptor set embedded in the generated code.
public enum ProtoBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        // URL-safe variants are accepted too.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Encodes `bytes`; `padded: false` omits the trailing `=` as gRPC does for `-bin` values.
    public static func encode(_ bytes: [UInt8], padded: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var value = UInt32(bytes[index]) << 16
            if count > 1 { value |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { value |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                if position <= count {
                    out.append(alphabet[Int(value >> UInt32(18 - position * 6) & 63)])
                } else if padded {
                    out.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded or unpadded (and URL-safe) base64; nil if the text
    /// holds anything else (whitespace included).
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { return out }
            let value = decodeTable[Int(byte)]
            if value == 0xFF { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    /// Decodes base64 written by the generator (`ProtoDescriptors`); invalid
    /// text there is a generator bug, so it traps.
    static func decodeEmbedded(_ text: String) -> [UInt8] {
        // The generator wraps the literal over several lines.
        let compact = String(decoding: text.utf8.filter { $0 > 0x20 }, as: UTF8.self)
        guard let bytes = decode(compact) else { preconditionFailure("invalid base64 in generated code") }
        return bytes
    }
}
