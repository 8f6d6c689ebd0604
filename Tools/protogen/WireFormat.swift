// A minimal protobuf wire-format reader and writer: just enough to decode the
// FileDescriptorSet that protoc writes and to re-encode parts of it. The
// generator must not depend on anything it generates, so it cannot use
// OMSProto (or protobuf-c) to read descriptor.proto messages.

struct WireFormatError: Error, CustomStringConvertible {
    var description: String
}

/// One field record as it appears on the wire.
enum WireValue {
    case varint(UInt64)
    case fixed64(UInt64)
    case lengthDelimited(Range<Int>)
    case fixed32(UInt32)
}

/// Reads field records from a byte range of a shared buffer. Sub-messages are
/// read by making a new reader over the sub-range, so nothing is copied.
struct WireReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? bytes.indices
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// The next field as (number, value, byte range of the whole record), or nil at the end.
    mutating func next() throws(WireFormatError) -> (number: Int, value: WireValue, record: Range<Int>)? {
        guard position < end else { return nil }
        let start = position
        let tag = try readVarint()
        let number = Int(tag >> 3)
        guard number > 0 else { throw WireFormatError(description: "field number 0 at offset \(start)") }
        let value: WireValue
        switch tag & 7 {
        case 0:
            value = .varint(try readVarint())
        case 1:
            value = .fixed64(try readFixed(8))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw WireFormatError(description: "length \(length) beyond the end at offset \(start)")
            }
            let lower = position
            position += Int(length)
            value = .lengthDelimited(lower..<position)
        case 5:
            value = .fixed32(UInt32(try readFixed(4)))
        default:
            throw WireFormatError(description: "unsupported wire type \(tag & 7) at offset \(start)")
        }
        return (number, value, start..<position)
    }

    private mutating func readVarint() throws(WireFormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 {
                throw WireFormatError(description: "varint overflow at offset \(position - 1)")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw WireFormatError(description: "truncated varint at offset \(position)")
    }

    private mutating func readFixed(_ count: Int) throws(WireFormatError) -> UInt64 {
        guard end - position >= count else {
            throw WireFormatError(description: "truncated fixed\(count * 8) at offset \(position)")
        }
        var result: UInt64 = 0
        for index in 0..<count {
            result |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += count
        return result
    }
}

extension WireValue {
    func string(in bytes: [UInt8]) throws(WireFormatError) -> String {
        guard case .lengthDelimited(let range) = self else {
            throw WireFormatError(description: "expected a length-delimited string")
        }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    func range() throws(WireFormatError) -> Range<Int> {
        guard case .lengthDelimited(let range) = self else {
            throw WireFormatError(description: "expected a length-delimited field")
        }
        return range
    }

    func integer() throws(WireFormatError) -> UInt64 {
        guard case .varint(let value) = self else {
            throw WireFormatError(description: "expected a varint")
        }
        return value
    }

    /// Values of a repeated varint field: packed (one length-delimited record) or not.
    func packedVarints(in bytes: [UInt8]) throws(WireFormatError) -> [UInt64] {
        switch self {
        case .varint(let value):
            return [value]
        case .lengthDelimited(let range):
            var values: [UInt64] = []
            var position = range.lowerBound
            while position < range.upperBound {
                var result: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard position < range.upperBound, shift < 64 else {
                        throw WireFormatError(description: "bad packed varint")
                    }
                    let byte = bytes[position]
                    position += 1
                    result |= UInt64(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { break }
                    shift += 7
                }
                values.append(result)
            }
            return values
        default:
            throw WireFormatError(description: "expected varints")
        }
    }
}

/// Appends wire-format records; used to rebuild the embedded descriptor set.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func appendLengthDelimited(field: Int, _ payload: some Collection<UInt8>) {
        appendVarint(UInt64(field << 3 | 2))
        appendVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func appendRaw(_ payload: some Collection<UInt8>) {
        bytes.append(contentsOf: payload)
    }
}
