/// A map from HTTP/2 stream IDs to values, for the per-frame lookups of a
/// connection.
///
/// Stream IDs of one peer grow by 2, so `id / 2` modulo a power of two spreads
/// the open streams over a fixed array without hashing: a lookup is one index
/// and one compare. The rare stream whose slot is still held by an older open
/// stream goes to a dictionary.
///
/// Inlinable, so the RPC layer gets a copy specialized for its stream type:
/// unspecialized, every lookup asked the runtime for generic metadata
/// (`swift_getGenericMetadata`, ~2 % of a unary call in the profile).
public struct StreamTable<Value> {
    @usableFromInline var slots: [Slot?]
    @usableFromInline let mask: Int
    @usableFromInline var overflow: [Int32: Value] = [:]
    @usableFromInline var storedCount = 0

    public var count: Int { storedCount }

    @usableFromInline
    struct Slot {
        @usableFromInline var id: Int32
        @usableFromInline var value: Value

        @inlinable
        init(id: Int32, value: Value) {
            self.id = id
            self.value = value
        }
    }

    /// - Parameter capacity: rounded up to a power of two; size it to the
    ///   connection's maximum number of concurrent streams.
    @inlinable
    public init(capacity: Int = 1024) {
        var size = 1
        while size < capacity { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inlinable @inline(__always)
    func index(_ id: Int32) -> Int { Int(id >> 1) & mask }

    @inlinable
    public var isEmpty: Bool { storedCount == 0 }

    @inlinable
    public subscript(id: Int32) -> Value? {
        get {
            if let slot = slots[index(id)], slot.id == id { return slot.value }
            return overflow.isEmpty ? nil : overflow[id]
        }
        set {
            if let newValue {
                insert(newValue, for: id)
            } else {
                removeValue(for: id)
            }
        }
    }

    @inlinable
    mutating func insert(_ value: Value, for id: Int32) {
        let position = index(id)
        if let slot = slots[position] {
            if slot.id == id {
                slots[position]!.value = value
                return
            }
        } else if overflow[id] == nil {
            slots[position] = Slot(id: id, value: value)
            storedCount += 1
            return
        }
        if overflow.updateValue(value, forKey: id) == nil { storedCount += 1 }
    }

    @inlinable @discardableResult
    public mutating func removeValue(for id: Int32) -> Value? {
        let position = index(id)
        if let slot = slots[position], slot.id == id {
            slots[position] = nil
            storedCount -= 1
            return slot.value
        }
        guard !overflow.isEmpty, let value = overflow.removeValue(forKey: id) else { return nil }
        storedCount -= 1
        return value
    }

    /// Every value, in no particular order.
    @inlinable
    public var values: [Value] {
        var all: [Value] = []
        all.reserveCapacity(storedCount)
        for slot in slots { if let slot { all.append(slot.value) } }
        all.append(contentsOf: overflow.values)
        return all
    }

    @inlinable
    public mutating func removeAll() {
        for index in slots.indices where slots[index] != nil { slots[index] = nil }
        overflow.removeAll()
        storedCount = 0
    }
}
