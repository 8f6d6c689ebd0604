/// The key types proto maps allow, with the order their entries are encoded in.
protocol ProtoMapKey: Hashable {
    static func protoKeyPrecedes(_ lhs: Self, _ rhs: Self) -> Bool
}

extension String: ProtoMapKey {
    /// Byte order of the UTF-8, as other protobuf implementations sort string keys.
    static func protoKeyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

extension Bool: ProtoMapKey {
    static func protoKeyPrecedes(_ lhs: Bool, _ rhs: Bool) -> Bool { !lhs && rhs }
}

extension Int32: ProtoMapKey {
    static func protoKeyPrecedes(_ lhs: Int32, _ rhs: Int32) -> Bool { lhs < rhs }
}

extension Int64: ProtoMapKey {
    static func protoKeyPrecedes(_ lhs: Int64, _ rhs: Int64) -> Bool { lhs < rhs }
}

extension UInt32: ProtoMapKey {
    static func protoKeyPrecedes(_ lhs: UInt32, _ rhs: UInt32) -> Bool { lhs < rhs }
}

extension UInt64: ProtoMapKey {
    static func protoKeyPrecedes(_ lhs: UInt64, _ rhs: UInt64) -> Bool { lhs < rhs }
}
