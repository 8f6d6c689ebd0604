/// Server-generated ids: a type prefix, the creation time in milliseconds
/// (10 Crockford base32 digits) and a store-wide sequence (8 digits), so ids
/// sort by creation time and never repeat.
public enum SortableID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func make(prefix: String, millis: Int64, sequence: UInt64) -> String {
        var out = Array(prefix.utf8)
        append(UInt64(max(0, millis)), digits: 10, to: &out)
        append(sequence, digits: 8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ value: UInt64, digits: Int, to out: inout [UInt8]) {
        for index in stride(from: digits - 1, through: 0, by: -1) {
            out.append(alphabet[Int((value >> UInt64(index * 5)) & 31)])
        }
    }
}
