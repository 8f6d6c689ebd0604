/// A protobuf message generated from Proto/ (see Proto/generate.sh).
///
/// Messages are plain values: proto3 defaults on `init()`, Optionals for
/// singular message fields, arrays for repeated fields, dictionaries for maps.
/// Encoding and decoding go through protobuf-c, so the wire format is exactly
/// what libprotobuf-c reads and writes; fields this build does not know are
/// kept in `unknownFields` and written back on encode.
///
/// protobuf-c stores strings NUL-terminated, so a string field stops at its
/// first NUL character when encoded (and when decoded from other peers).
public protocol ProtoMessage: Sendable, Hashable {
    /// The fully qualified proto name, e.g. `oms.v1.Product`.
    static var protoMessageName: String { get }

    /// Fields read from the wire that this message type does not declare.
    var unknownFields: ProtoUnknownFields { get set }

    /// A message with every field at its proto3 default.
    init()

    /// Decodes the wire format. Malformed input throws; it never traps.
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError)

    /// The exact number of bytes `serializedBytes()` would produce.
    func serializedSize() -> Int

    /// Encodes into the start of `buffer` and returns the number of bytes
    /// written. `buffer.count` must be at least `serializedSize()`.
    func serialize(into buffer: UnsafeMutableRawBufferPointer) -> Int

    /// Encodes to a new array (sized exactly, one allocation).
    func serializedBytes() -> [UInt8]

    /// Encodes and appends to `bytes`: one encode pass, no intermediate array
    /// (for framing, e.g. after a gRPC length prefix).
    func serialize(appendingTo bytes: inout [UInt8])
}

// Inlinable so they specialize in the caller: unspecialized, the generic
// Result and closure plumbing costs more than decoding a small message.
extension ProtoMessage {
    /// Decodes the wire format from an array.
    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtoDecodingError) in try Self(serializedBytes: raw) }
        }
        self = try result.get()
    }

    /// Decodes the wire format from any byte collection (`ArraySlice`,
    /// `Data`, a `ByteBuffer` view); contiguous ones are read in place.
    @inlinable
    public init(serializedBytes bytes: some Collection<UInt8>) throws(ProtoDecodingError) {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ProtoDecodingError) in try Self(serializedBytes: UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous {
            self = try contiguous.get()
        } else {
            self = try Self(serializedBytes: Array(bytes))
        }
    }

    /// Builds a message in one expression: `Oms_V1_Money.with { $0.amountMinor = 100 }`.
    @inlinable
    public static func with(_ populate: (inout Self) throws -> Void) rethrows -> Self {
        var message = Self()
        try populate(&message)
        return message
    }
}
