internal import CProtobufC

// Encoding and decoding through protobuf-c. Generated code conforms every
// message to ProtobufCMessageConvertible; the public ProtoMessage methods of
// each message forward here. No C type appears in a public declaration.

/// A generated message that converts to and from its protobuf-c struct.
protocol ProtobufCMessageConvertible: ProtoMessage {
    /// The protoc-c struct, e.g. `Oms__V1__Product`.
    associatedtype CMessage

    /// From the `oms_desc_*` accessor in CProtos.h (never `&x__descriptor` in Swift).
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }

    /// Sets descriptor and defaults, as the `*__INIT` macro would (macros do not import).
    static func initialize(_ c: UnsafeMutablePointer<CMessage>)

    /// Copies every field out of a struct that protobuf-c unpacked.
    init(cMessage c: UnsafePointer<CMessage>)

    /// Stores every field into an initialized struct, allocating in `arena`.
    func fill(_ c: UnsafeMutablePointer<CMessage>, arena: ProtobufCArena)
}

enum ProtobufCCodec {
    /// `protobuf_c_message_unpack` into an arena, then a copy into Swift values.
    /// The arena (and with it everything protobuf-c allocated, on success or
    /// failure) is released on return, so no `free_unpacked` walk is needed.
    static func decode<Message: ProtobufCMessageConvertible>(
        _ bytes: UnsafeRawBufferPointer
    ) throws(ProtoDecodingError) -> Message {
        // Unpacked structs are a few times the wire size; size the first block for them.
        try ProtobufCArena.with(sizeHint: 3 * bytes.count) { (arena) throws(ProtoDecodingError) -> Message in
            var allocator = arena.allocator
            let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard let unpacked = protobuf_c_message_unpack(Message.cDescriptor, &allocator, bytes.count, data) else {
                throw ProtoDecodingError(invalidEncodingOf: Message.protoMessageName)
            }
            return Message(cMessage: UnsafeRawPointer(unpacked).assumingMemoryBound(to: Message.CMessage.self))
        }
    }

    static func serializedSize<Message: ProtobufCMessageConvertible>(_ message: Message) -> Int {
        withPacked(message) { _, size in size }
    }

    static func serialize<Message: ProtobufCMessageConvertible>(
        _ message: Message, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        withPacked(message) { packed, size in
            // protobuf-c writes without bounds checks; this is the only guard.
            precondition(buffer.count >= size, "buffer of \(buffer.count) bytes for a \(size)-byte message")
            guard size > 0 else { return 0 }
            return protobuf_c_message_pack(packed, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    static func serializedBytes<Message: ProtobufCMessageConvertible>(_ message: Message) -> [UInt8] {
        withPacked(message) { packed, size in
            [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = size > 0 ? protobuf_c_message_pack(packed, buffer.baseAddress!) : 0
            }
        }
    }

    static func serialize<Message: ProtobufCMessageConvertible>(
        _ message: Message, appendingTo bytes: inout [UInt8]
    ) {
        withPacked(message) { packed, size in
            guard size > 0 else { return }
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: size))
            bytes.withUnsafeMutableBufferPointer { buffer in
                _ = protobuf_c_message_pack(packed, buffer.baseAddress! + start)
            }
        }
    }

    /// Builds the C message tree for `message` in an arena and passes it, with
    /// its packed size, to `body`. `message` owns the byte and number arrays
    /// the tree points into, so it is kept alive until `body` returns.
    private static func withPacked<Message: ProtobufCMessageConvertible, Result>(
        _ message: Message, _ body: (UnsafePointer<ProtobufCMessage>, Int) -> Result
    ) -> Result {
        withExtendedLifetime(message) {
            ProtobufCArena.with { arena in
                let c = arena.message(message)
                let packed = UnsafeRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self)
                return body(packed, protobuf_c_message_get_packed_size(packed))
            }
        }
    }
}

// MARK: - Reading unpacked protobuf-c values

/// Copies values out of protobuf-c structs; used by generated `init(cMessage:)`.
enum ProtobufCRead {
    static func string(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text)
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let start = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: data.len))
    }

    /// Numeric arrays, whose C and Swift element layouts are identical.
    static func array<Element>(_ start: UnsafePointer<Element>?, count: Int) -> [Element] {
        guard count > 0, let start else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    static func array<CElement, Element>(
        _ start: UnsafePointer<CElement>?, count: Int, _ transform: (CElement) -> Element
    ) -> [Element] {
        guard count > 0, let start else { return [] }
        return UnsafeBufferPointer(start: start, count: count).map(transform)
    }

    static func messages<CMessage, Message>(
        _ start: UnsafePointer<UnsafeMutablePointer<CMessage>?>?, count: Int,
        _ transform: (UnsafePointer<CMessage>) -> Message
    ) -> [Message] {
        guard count > 0, let start else { return [] }
        var result: [Message] = []
        result.reserveCapacity(count)
        for case let element? in UnsafeBufferPointer(start: start, count: count) {
            result.append(transform(element))
        }
        return result
    }

    /// The entry messages of a map field.
    static func entries<Entry>(
        _ start: UnsafePointer<UnsafeMutablePointer<Entry>?>?, count: Int
    ) -> UnsafeBufferPointer<UnsafeMutablePointer<Entry>?> {
        guard count > 0, let start else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: count)
    }
}

// MARK: - Unknown fields

extension ProtoUnknownFields {
    /// Copies what protobuf-c kept in `base.unknown_fields` while unpacking.
    init(_ base: ProtobufCMessage) {
        self.init()
        guard base.n_unknown_fields > 0, let unknown = base.unknown_fields else { return }
        fields.reserveCapacity(Int(base.n_unknown_fields))
        for field in UnsafeBufferPointer(start: unknown, count: Int(base.n_unknown_fields)) {
            let payload =
                field.len > 0 && field.data != nil
                ? Array(UnsafeBufferPointer(start: field.data, count: field.len)) : []
            fields.append(
                Field(
                    number: field.tag, wireType: UInt8(truncatingIfNeeded: field.wire_type.rawValue), payload: payload))
        }
    }

    /// Hands the fields back to protobuf-c, which packs them after the known fields.
    func write(into base: inout ProtobufCMessage, arena: ProtobufCArena) {
        guard !fields.isEmpty else { return }
        let out = arena.allocate(ProtobufCMessageUnknownField.self, count: fields.count)
        for (index, field) in fields.enumerated() {
            (out + index).initialize(
                to: ProtobufCMessageUnknownField(
                    tag: field.number, wire_type: ProtobufCWireType(rawValue: .init(field.wireType)),
                    len: field.payload.count, data: field.payload.isEmpty ? nil : arena.borrow(field.payload)))
        }
        base.n_unknown_fields = UInt32(fields.count)
        base.unknown_fields = out
    }
}
