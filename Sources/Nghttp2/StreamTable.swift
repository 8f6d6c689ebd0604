/// A map from HTTP/2 stream IDs to values, for the per-frame lookups of a
/// connection.
///
/// Stream IDs of one peer grow by 2, so `id / 2` modulo a power of two spreads
/// the open streams over a fixed array without hashing: a lookup is one index
/// and one compare. The rare stream whose slot is still held by an older open
/// stream goes to a dictionary.
public struct StreamTable<Value> {
    private var slots: [Slot?]
    private let mask: Int
    private var overflow: [Int32: Value] = [:]
    public private(set) var count = 0

    private struct Slot {
        var id: Int32
        var value: Value
    }

    /// - Parameter capacity: rounded up to a power of two; size it to the
    ///   connection's maximum number of concurrent streams.
    public init(capacity: Int = 1024) {
        var size = 1
        while size < capacity { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func index(_ id: Int32) -> Int { Int(id >> 1) & mask }

    public var isEmpty: Bool { count == 0 }

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

    private mutating func insert(_ value: Value, for id: Int32) {
        let position = index(id)
        if let slot = slots[position] {
            if slot.id == id {
                slots[position]!.value = value
                return
            }
        } else if overflow[id] == nil {
            slots[position] = Slot(id: id, value: value)
            count += 1
            return
        }
        if overflow.updateValue(value, forKey: id) == nil { count += 1 }
    }

    @discardableResult
    public mutating func removeValue(for id: Int32) -> Value? {
        let position = index(id)
        if let slot = slots[position], slot.id == id {
            slots[position] = nil
            count -= 1
            return slot.value
        }
        guard !overflow.isEmpty, let value = overflow.removeValue(forKey: id) else { return nil }
        count -= 1
        return value
    }

    /// Every value, in no particular order.
    public var values: [Value] {
        var all: [Value] = []
        all.reserveCapacity(count)
        for slot in slots { if let slot { all.append(slot.value) } }
        all.append(contentsOf: overflow.values)
        return all
    }

    public mutating func removeAll() {
        for index in slots.indices where slots[index] != nil { slots[index] = nil }
        overflow.removeAll()
        count = 0
    }
}
