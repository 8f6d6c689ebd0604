/// The protobuf wire format, for read paths that compose a response from
/// stored encodings instead of decoding and re-encoding whole messages (an
/// embedded message field is exactly its message's encoding, length-prefixed).
///
/// The `append…` functions write fields the way protobuf-c writes proto3
/// fields without explicit presence: zero scalars and empty strings are left
/// out, and a caller that appends in field-number order produces the same bytes
/// as protobuf-c (which packs fields in that order).
public enum ProtoWire {
    public static let varint: UInt8 = 0
    public static let fixed64: UInt8 = 1
    public static let lengthDelimited: UInt8 = 2
    public static let fixed32: UInt8 = 5

    public static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    public static func appendTag(field number: Int, wireType: UInt8, to out: inout [UInt8]) {
        appendVarint(UInt64(number) << 3 | UInt64(wireType), to: &out)
    }

    /// An `int64` field (two's complement varint, ten bytes when negative);
    /// nothing when `value` is 0.
    public static func appendInt64(field number: Int, _ value: Int64, to out: inout [UInt8]) {
        guard value != 0 else { return }
        appendTag(field: number, wireType: varint, to: &out)
        appendVarint(UInt64(bitPattern: value), to: &out)
    }

    /// A `string` field; nothing when `value` is empty.
    public static func appendString(field number: Int, _ value: String, to out: inout [UInt8]) {
        guard !value.isEmpty else { return }
        var value = value
        value.withUTF8 { appendLengthDelimited(field: number, UnsafeRawBufferPointer($0), to: &out) }
    }

    /// A length-delimited field holding `bytes`, written even when empty (one
    /// element of a repeated message field, or an embedded message).
    public static func appendLengthDelimited(field number: Int, _ bytes: UnsafeRawBufferPointer, to out: inout [UInt8])
    {
        appendTag(field: number, wireType: lengthDelimited, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    /// Walks the top-level fields of one encoded message and calls
    /// `body(fieldNumber, value)` for each varint field, in wire order (so for
    /// a field that occurs twice the last call wins, as in a decoder); other
    /// wire types are skipped. Reads only what it needs from a stored record.
    ///
    /// - Throws: `ProtoDecodingError` for a truncated or malformed encoding.
    public static func forEachVarintField(
        in message: UnsafeRawBufferPointer, _ body: (_ field: Int, _ value: UInt64) throws -> Void
    ) throws {
        var offset = 0
        while offset < message.count {
            let tag = try readVarint(message, &offset)
            let field = Int(truncatingIfNeeded: tag >> 3)
            guard field > 0 else { throw malformed }
            switch UInt8(truncatingIfNeeded: tag & 7) {
            case varint:
                try body(field, try readVarint(message, &offset))
            case fixed64:
                try skip(8, message, &offset)
            case lengthDelimited:
                let length = try readVarint(message, &offset)
                guard length <= UInt64(message.count - offset) else { throw malformed }
                offset += Int(length)
            case fixed32:
                try skip(4, message, &offset)
            default:
                throw malformed  // groups (3, 4) and reserved wire types: not in our schema
            }
        }
    }

    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count && shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw malformed
    }

    private static func skip(_ count: Int, _ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws {
        guard bytes.count - offset >= count else { throw malformed }
        offset += count
    }

    private static var malformed: ProtoDecodingError {
        ProtoDecodingError(message: "malformed protobuf encoding", protoMessageName: "")
    }
}
