/// Fields of a decoded message that its type does not declare (for instance
/// fields added by a newer peer). They are kept, compared as part of the
/// message, and written back after the known fields on encode, as protobuf
/// requires of proxies and stores that pass data through.
public struct ProtoUnknownFields: Hashable, Sendable {
    /// One field as read: tag, wire type and the payload bytes after the tag
    /// (including the length prefix of a length-delimited field), which is
    /// how protobuf-c keeps them.
    struct Field: Hashable, Sendable {
        var number: UInt32
        var wireType: UInt8
        var payload: [UInt8]
    }

    var fields: [Field] = []

    public init() {}

    public var isEmpty: Bool { fields.isEmpty }

    /// The unknown fields in wire format, in the order they were read.
    public var serializedBytes: [UInt8] {
        var bytes: [UInt8] = []
        for field in fields {
            var tag = UInt64(field.number) << 3 | UInt64(field.wireType)
            while tag >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: tag) | 0x80)
                tag >>= 7
            }
            bytes.append(UInt8(tag))
            bytes += field.payload
        }
        return bytes
    }
}
