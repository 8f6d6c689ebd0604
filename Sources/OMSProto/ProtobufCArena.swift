internal import CProtobufC

// All memory for one encode or decode call through protobuf-c comes from one
// ProtobufCArena: the C message tree we build for `protobuf_c_message_pack`,
// and everything `protobuf_c_message_unpack` allocates. The first kilobyte is
// on the stack; larger messages chain heap blocks of doubling size. Nothing is
// freed individually: the whole arena goes when the call returns, so there is
// no per-field malloc and nothing to leak.

/// Bump allocator scoped to one `ProtobufCArena.with` call. Copyable handle to
/// state that lives in that call's stack frame; never escape it.
struct ProtobufCArena {
    /// Stack bytes per call; `withUnsafeTemporaryAllocation` keeps sizes up to
    /// 1 KiB on the stack without probing the stack bounds.
    private static let inlineCapacity = 1024
    private static let firstBlockSize = 4096
    /// Growth stops doubling here; a single larger request still gets its own block.
    private static let largestGrowthBlockSize = 1 << 20
    /// Each heap block starts with the pointer to the previous block.
    private static let blockHeaderSize = 16

    private struct State {
        var cursor: UnsafeMutableRawPointer
        var end: UnsafeMutableRawPointer
        var lastBlock: UnsafeMutableRawPointer?
        var nextBlockSize: Int
    }

    private let state: UnsafeMutablePointer<State>

    /// Runs `body` with a fresh arena and releases all of it afterwards.
    /// `sizeHint` sizes the first heap block for callers that can estimate.
    static func with<Result, Failure: Error>(
        sizeHint: Int = 0, _ body: (ProtobufCArena) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafeTemporaryAllocation(byteCount: inlineCapacity, alignment: 16) {
            (inline) throws(Failure) -> Result in
            let base = inline.baseAddress!
            let stateSize = (MemoryLayout<State>.stride + 15) & ~15
            let state = base.bindMemory(to: State.self, capacity: 1)
            state.initialize(
                to: State(
                    cursor: base + stateSize, end: base + inline.count, lastBlock: nil,
                    nextBlockSize: max(firstBlockSize, min(sizeHint, largestGrowthBlockSize * 16))))
            defer {
                var block = state.pointee.lastBlock
                while let current = block {
                    block = current.load(as: UnsafeMutableRawPointer?.self)
                    current.deallocate()
                }
                state.deinitialize(count: 1)
            }
            return try body(ProtobufCArena(state: state))
        }
    }

    /// `byteCount` bytes aligned to `alignment` (a power of two, at most 16),
    /// uninitialized, valid until the enclosing `with` returns.
    func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let start = state.pointee.cursor.alignedUp(toMultipleOf: alignment)
        if byteCount <= state.pointee.end - start {
            state.pointee.cursor = start + byteCount
            return start
        }
        return allocateFromNewBlock(byteCount: byteCount, alignment: alignment)
    }

    /// Uninitialized, bound memory for `count` values of `T`.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    private func allocateFromNewBlock(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let size = max(state.pointee.nextBlockSize, Self.blockHeaderSize + byteCount + alignment)
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        block.storeBytes(of: state.pointee.lastBlock, as: UnsafeMutableRawPointer?.self)
        state.pointee.lastBlock = block
        state.pointee.cursor = block + Self.blockHeaderSize
        state.pointee.end = block + size
        state.pointee.nextBlockSize = min(size * 2, Self.largestGrowthBlockSize)
        return allocate(byteCount: byteCount, alignment: alignment)
    }

    /// A protobuf-c allocator drawing from this arena, for `protobuf_c_message_unpack`.
    /// Its `free` does nothing: the arena releases everything at once, which
    /// also covers what protobuf-c allocated before failing on bad input.
    var allocator: ProtobufCAllocator {
        ProtobufCAllocator(
            alloc: { data, size in
                // Every protobuf-c allocation holds at most 8-byte-aligned values.
                ProtobufCArena(state: data!.assumingMemoryBound(to: State.self)).allocate(byteCount: size, alignment: 8)
            },
            free: { _, _ in },
            allocator_data: UnsafeMutableRawPointer(state))
    }
}

// MARK: - Building protobuf-c values for encoding

// Generated `fill(_:arena:)` methods use these to lay out fields in C form.
// Strings are copied (protobuf-c needs NUL-terminated text). Bytes and numeric
// arrays are not: protobuf-c only reads them while packing, and the message
// that owns the arrays is borrowed, unmodified, for the whole encode call
// (ProtobufCCodec keeps it alive with withExtendedLifetime), so pointing at
// the arrays' own storage is safe and saves a copy of every payload.

extension ProtobufCArena {
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        func copy(_ utf8: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar> {
            let text = allocate(CChar.self, count: utf8.count + 1)
            if let source = utf8.baseAddress {
                UnsafeMutableRawPointer(text).copyMemory(from: source, byteCount: utf8.count)
            }
            text[utf8.count] = 0
            return text
        }
        // Native and small strings expose their UTF-8 directly; bridged ones need a copy first.
        if let text = string.utf8.withContiguousStorageIfAvailable(copy) { return text }
        var contiguous = string
        return contiguous.withUTF8(copy)
    }

    func binaryData(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        // An empty value still gets a valid pointer: a set oneof member is packed even when empty.
        bytes.isEmpty
            ? ProtobufCBinaryData(len: 0, data: allocate(UInt8.self))
            : ProtobufCBinaryData(len: bytes.count, data: borrow(bytes))
    }

    /// Repeated numeric fields, whose Swift and C element types are identical.
    func numbers<T: Numeric>(_ values: [T]) -> UnsafeMutablePointer<T> {
        borrow(values)
    }

    func bools(_ values: [Bool]) -> UnsafeMutablePointer<protobuf_c_boolean> {
        let out = allocate(protobuf_c_boolean.self, count: values.count)
        for (index, value) in values.enumerated() { (out + index).initialize(to: value ? 1 : 0) }
        return out
    }

    func cStrings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let out = allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (index, value) in values.enumerated() { (out + index).initialize(to: cString(value)) }
        return out
    }

    func binaryDataArray(_ values: [[UInt8]]) -> UnsafeMutablePointer<ProtobufCBinaryData> {
        let out = allocate(ProtobufCBinaryData.self, count: values.count)
        for (index, value) in values.enumerated() { (out + index).initialize(to: binaryData(value)) }
        return out
    }

    func enums<Value: ProtoEnum, CEnum: RawRepresentable>(
        _ values: [Value], as: CEnum.Type
    ) -> UnsafeMutablePointer<CEnum> where CEnum.RawValue: FixedWidthInteger {
        let out = allocate(CEnum.self, count: values.count)
        for (index, value) in values.enumerated() {
            // C enums import with a non-failable init(rawValue:); the protocol's is failable.
            (out + index).initialize(to: CEnum(rawValue: .init(truncatingIfNeeded: value.rawValue))!)
        }
        return out
    }

    func message<Message: ProtobufCMessageConvertible>(_ message: Message) -> UnsafeMutablePointer<Message.CMessage> {
        let c = allocate(Message.CMessage.self)
        Message.initialize(c)
        message.fill(c, arena: self)
        return c
    }

    func messages<Message: ProtobufCMessageConvertible>(
        _ values: [Message]
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<Message.CMessage>?> {
        let out = allocate(UnsafeMutablePointer<Message.CMessage>?.self, count: values.count)
        for (index, value) in values.enumerated() { (out + index).initialize(to: message(value)) }
        return out
    }

    /// A map as protobuf-c sees it: an array of entry messages. Entries are
    /// sorted by key so equal maps always encode to equal bytes (Dictionary
    /// order differs between processes), which idempotency fingerprints need.
    func mapEntries<Key: ProtoMapKey, Value, Entry>(
        _ map: [Key: Value], as: Entry.Type,
        initialize: (UnsafeMutablePointer<Entry>) -> Void,
        fill: (UnsafeMutablePointer<Entry>, Key, Value) -> Void
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<Entry>?> {
        let out = allocate(UnsafeMutablePointer<Entry>?.self, count: map.count)
        func store(_ key: Key, _ value: Value, at index: Int) {
            let entry = allocate(Entry.self)
            initialize(entry)
            fill(entry, key, value)
            (out + index).initialize(to: entry)
        }
        if map.count == 1, let (key, value) = map.first {
            store(key, value, at: 0)  // nothing to sort, no temporary array
        } else {
            for (index, element) in map.sorted(by: { Key.protoKeyPrecedes($0.key, $1.key) }).enumerated() {
                store(element.key, element.value, at: index)
            }
        }
        return out
    }

    /// The array's own storage (see the note above this extension).
    func borrow<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        values.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress!) }
    }
}
