import OMSProto

/// gRPC custom metadata: ordered, multi-valued, lower-case keys.
///
/// Keys ending in `-bin` carry binary values, base64-encoded on the wire.
public struct Metadata: Sendable, Hashable, Sequence {
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case string(String)
        case binary([UInt8])

        public var description: String {
            switch self {
            case .string(let text): text
            case .binary(let bytes): "<\(bytes.count) bytes>"
            }
        }
    }

    public private(set) var entries: [(key: String, value: Value)] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (key, value) in pairs { add(key, value) }
    }

    public mutating func add(_ key: String, _ value: String) {
        entries.append((key.lowercased(), .string(value)))
    }

    public mutating func add(_ key: String, binary value: [UInt8]) {
        precondition(key.hasSuffix("-bin"), "binary metadata keys end in -bin")
        entries.append((key.lowercased(), .binary(value)))
    }

    mutating func addWire(name: String, value: String) {
        if name.hasSuffix("-bin") {
            entries.append((name, .binary(ProtoBase64.decode(value) ?? [])))
        } else {
            entries.append((name, .string(value)))
        }
    }

    /// The first string value for `key`.
    public subscript(_ key: String) -> String? {
        let key = key.lowercased()
        for entry in entries where entry.key == key {
            if case .string(let text) = entry.value { return text }
        }
        return nil
    }

    /// The first binary value for a `-bin` key.
    public func binary(_ key: String) -> [UInt8]? {
        let key = key.lowercased()
        for entry in entries where entry.key == key {
            if case .binary(let bytes) = entry.value { return bytes }
        }
        return nil
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> {
        entries.makeIterator()
    }

    /// Header fields for the wire (binary values base64-encoded).
    var wireFields: [(String, String)] {
        entries.map { entry in
            switch entry.value {
            case .string(let text): (entry.key, text)
            case .binary(let bytes): (entry.key, ProtoBase64.encode(bytes, padded: false))
            }
        }
    }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    /// Reserved header names that are never custom metadata.
    static func isReserved(_ name: String) -> Bool {
        name.hasPrefix(":") || name == "content-type" || name == "te" || name == "user-agent"
            || name == "grpc-timeout" || name == "grpc-encoding" || name == "grpc-accept-encoding"
            || name == "grpc-status" || name == "grpc-message" || name == "grpc-status-details-bin"
            || name == "content-length" || name == "authorization"
    }
}
