#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Order-preserving encodings for composite keys.
///
/// RocksDB sorts keys as unsigned byte strings, so every component is encoded
/// such that byte order equals the component's natural order:
///
/// - `UInt64`/`UInt32`: fixed-width big-endian.
/// - `Int64`: big-endian with the sign bit flipped, so negatives sort first.
/// - `String`/bytes (`append(_:String…)`, `appendTerminated`): the bytes with
///   every `0x00` escaped as `0x00 0x01`, then the terminator `0x00 0x00`.
///   Lexicographic order is preserved and no encoded component is a prefix of
///   another, so `encode(a)` is an exact prefix for "all keys whose component
///   is `a`" (e.g. every index entry of one customer).
/// - `appendLengthPrefixed`: a big-endian `UInt32` length then the bytes.
///   Compact and exact, but sorts by length first: use it only for components
///   that are never range-scanned in order.
///
/// Example — an order index by customer and creation time:
///
///     var key: [UInt8] = []
///     KeyCodec.append(customerID, to: &key)
///     KeyCodec.append(createdAt, to: &key)   // Int64
///     KeyCodec.append(orderID, to: &key)
///
///     var reader = KeyCodec.Reader(key)
///     let customer = try reader.readString()
///     let created = try reader.readInt64()
public enum KeyCodec {
    // MARK: Encoding

    public static func append(_ value: UInt64, to key: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { key.append(contentsOf: $0) }
    }

    public static func append(_ value: UInt32, to key: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { key.append(contentsOf: $0) }
    }

    /// Two's complement with the sign bit flipped: `Int64.min` → `0x00…`,
    /// `-1` → `0x7F FF…`, `0` → `0x80 00…`, `Int64.max` → `0xFF…`.
    public static func append(_ value: Int64, to key: inout [UInt8]) {
        append(UInt64(bitPattern: value) ^ (1 << 63), to: &key)
    }

    /// The UTF-8 bytes, escaped and terminated (see the type's documentation).
    public static func append(_ string: String, to key: inout [UInt8]) {
        appendTerminated(string.utf8, to: &key)
    }

    /// Arbitrary bytes, escaped and terminated (see the type's documentation).
    public static func appendTerminated(_ bytes: some Sequence<UInt8>, to key: inout [UInt8]) {
        for byte in bytes {
            key.append(byte)
            if byte == 0 { key.append(1) }
        }
        key.append(0)
        key.append(0)
    }

    /// A big-endian `UInt32` length, then the UTF-8 bytes.
    public static func appendLengthPrefixed(_ string: String, to key: inout [UInt8]) {
        appendLengthPrefixed(Array(string.utf8), to: &key)
    }

    /// A big-endian `UInt32` length, then the bytes.
    public static func appendLengthPrefixed(_ bytes: [UInt8], to key: inout [UInt8]) {
        precondition(bytes.count <= Int(UInt32.max), "key component too long")
        append(UInt32(bytes.count), to: &key)
        key.append(contentsOf: bytes)
    }

    /// `value` as an 8-byte big-endian key (e.g. an event sequence number).
    public static func encode(_ value: UInt64) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(8)
        append(value, to: &key)
        return key
    }

    /// The end of the component written by `appendTerminated` that starts at
    /// `start`: the index after its `00 00` terminator. Nil when the bytes
    /// hold no whole, well-formed component there.
    public static func terminatedEnd(in bytes: [UInt8], from start: Int) -> Int? {
        if case .end(let end) = scanTerminated(bytes, from: start) { return end }
        return nil
    }

    /// How a terminated component starting at `start` ends.
    enum TerminatedScan {
        /// The index after the `00 00` terminator.
        case end(Int)
        /// A `00` followed by neither `00` nor `01`, at this index.
        case badEscape(at: Int)
        case unterminated
    }

    /// The one reading of the escaping rules: `00 01` is an escaped zero
    /// byte, `00 00` ends the component.
    static func scanTerminated(_ bytes: [UInt8], from start: Int) -> TerminatedScan {
        var index = start
        while index + 1 < bytes.count {
            guard bytes[index] == 0 else {
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case 0: return .end(index + 2)
            case 1: index += 2
            default: return .badEscape(at: index + 1)
            }
        }
        return .unterminated
    }

    // MARK: Ranges

    /// The smallest key greater than every key that starts with `prefix`: the
    /// exclusive upper bound of a prefix scan. Nil when there is none (the
    /// prefix is empty or all `0xFF`), meaning "to the end".
    public static func prefixUpperBound(_ prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last == 0xFF {
                bound.removeLast()
            } else {
                bound[bound.count - 1] = last + 1
                return bound
            }
        }
        return nil
    }

    /// RocksDB's default ordering (unsigned lexicographic bytes): negative when
    /// `a < b`, zero when equal, positive when `a > b`.
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                let common = min(a.count, b.count)
                if common > 0 {
                    let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                    if order != 0 { return order < 0 ? -1 : 1 }
                }
                return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
            }
        }
    }

    // MARK: Decoding

    /// Reads the components of a composite key in the order they were appended.
    /// Every read throws `.invalidArgument` on a truncated or malformed key.
    public struct Reader: Sendable {
        public let bytes: [UInt8]
        /// Index of the next unread byte.
        public private(set) var offset: Int = 0

        public init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        public init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = [UInt8](bytes)
        }

        public var isAtEnd: Bool { offset == bytes.count }

        /// The unread bytes.
        public var remaining: ArraySlice<UInt8> { bytes[offset...] }

        public mutating func readUInt64() throws(StorageError) -> UInt64 {
            let raw = try take(8)
            return raw.reduce(0) { $0 << 8 | UInt64($1) }
        }

        public mutating func readUInt32() throws(StorageError) -> UInt32 {
            let raw = try take(4)
            return raw.reduce(0) { $0 << 8 | UInt32($1) }
        }

        public mutating func readInt64() throws(StorageError) -> Int64 {
            Int64(bitPattern: try readUInt64() ^ (1 << 63))
        }

        /// A component written by `append(_: String, to:)`.
        public mutating func readString() throws(StorageError) -> String {
            let raw = try readTerminated()
            guard let string = String(validating: raw, as: UTF8.self) else {
                throw malformed("string component is not valid UTF-8")
            }
            return string
        }

        /// A component written by `appendTerminated`.
        public mutating func readTerminated() throws(StorageError) -> [UInt8] {
            switch KeyCodec.scanTerminated(bytes, from: offset) {
            case .end(let end):
                var result: [UInt8] = []
                result.reserveCapacity(end - 2 - offset)
                var index = offset
                while index < end - 2 {
                    result.append(bytes[index])
                    index += bytes[index] == 0 ? 2 : 1  // `00 01` is one zero byte
                }
                offset = end
                return result
            case .badEscape(let at):
                throw malformed("bad escape 0x00 0x\(String(bytes[at], radix: 16)) at byte \(at)")
            case .unterminated:
                throw malformed("unterminated component at byte \(offset)")
            }
        }

        /// A component written by `appendLengthPrefixed(_: String, to:)`.
        public mutating func readLengthPrefixedString() throws(StorageError) -> String {
            let raw = try readLengthPrefixed()
            guard let string = String(validating: raw, as: UTF8.self) else {
                throw malformed("string component is not valid UTF-8")
            }
            return string
        }

        /// A component written by `appendLengthPrefixed(_: [UInt8], to:)`.
        public mutating func readLengthPrefixed() throws(StorageError) -> [UInt8] {
            let count = try readUInt32()
            return Array(try take(Int(count)))
        }

        /// The next `count` raw bytes.
        public mutating func readBytes(count: Int) throws(StorageError) -> [UInt8] {
            Array(try take(count))
        }

        /// Every unread byte (a trailing raw component).
        public mutating func readRemaining() -> [UInt8] {
            defer { offset = bytes.count }
            return Array(bytes[offset...])
        }

        private mutating func take(_ count: Int) throws(StorageError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw malformed("needs \(count) bytes at byte \(offset), key has \(bytes.count)")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        private func malformed(_ detail: String) -> StorageError {
            StorageError(code: .invalidArgument, message: "malformed key: \(detail)")
        }
    }
}
