internal import CNghttp2

/// An encoded list of header fields ready to hand to nghttp2.
///
/// Building the `nghttp2_nv` array costs allocations, so blocks that never
/// change (the `:status 200` + `content-type` of every gRPC response, the
/// `grpc-status: 0` trailer) are built once and reused for every stream. A block
/// is immutable after `init`; its storage lives as long as the block.
public final class HTTP2HeaderBlock: @unchecked Sendable {
    // @unchecked Sendable: `storage` and `fields` are written only in init and
    // never mutated afterwards, so sharing across threads is read-only.
    let storage: UnsafeMutableRawBufferPointer
    let fields: UnsafeMutableBufferPointer<nghttp2_nv>
    /// The fields as given, for inspection and tests.
    public let headerFields: [HTTP2HeaderField]
    /// When true the block outlives every frame that uses it, so nghttp2 may
    /// reference its bytes instead of copying them (`NO_COPY` flags).
    let isLongLived: Bool

    /// - Parameter longLived: pass `true` only for blocks kept for the whole
    ///   life of every session that uses them (typically `static let`s).
    public init(_ headerFields: [HTTP2HeaderField], longLived: Bool = false) {
        self.headerFields = headerFields
        self.isLongLived = longLived
        var total = 0
        for field in headerFields { total += field.name.utf8.count + field.value.utf8.count }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 1)
        let fields = UnsafeMutableBufferPointer<nghttp2_nv>.allocate(capacity: max(headerFields.count, 1))
        var offset = 0
        let base = storage.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for (index, field) in headerFields.enumerated() {
            let nameStart = offset
            for byte in field.name.utf8 {
                base[offset] = byte
                offset += 1
            }
            let valueStart = offset
            for byte in field.value.utf8 {
                base[offset] = byte
                offset += 1
            }
            var flags = UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
            if field.neverIndex { flags |= UInt8(NGHTTP2_NV_FLAG_NO_INDEX.rawValue) }
            if longLived {
                flags |= UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue)
                flags |= UInt8(NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue)
            }
            fields[index] = nghttp2_nv(
                name: base + nameStart, value: base + valueStart,
                namelen: valueStart - nameStart, valuelen: offset - valueStart, flags: flags)
        }
        self.storage = storage
        self.fields = fields
    }

    public convenience init(_ pairs: KeyValuePairs<String, String>, longLived: Bool = false) {
        self.init(pairs.map { HTTP2HeaderField($0.key, $0.value) }, longLived: longLived)
    }

    deinit {
        storage.deallocate()
        fields.deallocate()
    }

    var count: Int { headerFields.count }
}
