/// Reassembles gRPC length-prefixed messages (1 flag byte, 4-byte big-endian
/// length, payload) from DATA chunks that may split them anywhere.
///
/// A message that arrives whole inside one chunk is handed out in place
/// (no copy); only messages split across chunks are buffered.
struct MessageDeframer {
    let maxMessageBytes: Int
    private var header: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
    private var headerCount = 0
    private var body: [UInt8] = []
    private var expected = 0
    /// A message is partly received (header or body).
    private(set) var hasPartialMessage = false
    /// Bytes of a partly received message held in memory.
    var bufferedBytes: Int { hasPartialMessage ? body.count : 0 }

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Feeds `bytes`; calls `onMessage` for each complete message.
    mutating func process(
        _ bytes: UnsafeRawBufferPointer, onMessage: (UnsafeRawBufferPointer) throws(RPCError) -> Void
    ) throws(RPCError) {
        var offset = 0
        let count = bytes.count
        while offset < count {
            if headerCount < 5 {
                // Fast path: a whole message in place.
                if headerCount == 0 && count - offset >= 5 {
                    let length = try Self.length(
                        flag: bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3],
                        bytes[offset + 4], max: maxMessageBytes)
                    if count - offset - 5 >= length {
                        try onMessage(UnsafeRawBufferPointer(rebasing: bytes[(offset + 5)..<(offset + 5 + length)]))
                        offset += 5 + length
                        continue
                    }
                }
                withUnsafeMutableBytes(of: &header) { $0[headerCount] = bytes[offset] }
                headerCount += 1
                offset += 1
                hasPartialMessage = true
                if headerCount == 5 {
                    expected = try Self.length(
                        flag: header.0, header.1, header.2, header.3, header.4, max: maxMessageBytes)
                    body.removeAll(keepingCapacity: true)
                    body.reserveCapacity(expected)
                    if expected == 0 { try complete(onMessage) }
                }
                continue
            }
            let take = min(expected - body.count, count - offset)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            if body.count == expected { try complete(onMessage) }
        }
    }

    private mutating func complete(
        _ onMessage: (UnsafeRawBufferPointer) throws(RPCError) -> Void
    ) throws(RPCError) {
        headerCount = 0
        hasPartialMessage = false
        let message = body
        if body.capacity > 64 * 1024 { body = [] }
        let result = message.withUnsafeBytes { buffer in
            Result { () throws(RPCError) in try onMessage(buffer) }
        }
        try result.get()
    }

    private static func length(
        flag: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, max: Int
    ) throws(RPCError) -> Int {
        switch flag {
        case 0: break
        case 1:
            throw RPCError(.internalError, "compressed message received but no grpc-encoding was negotiated")
        default:
            throw RPCError(.internalError, "invalid gRPC message flag \(flag)")
        }
        let length = Int(b1) << 24 | Int(b2) << 16 | Int(b3) << 8 | Int(b4)
        if length > max {
            throw RPCError(
                .resourceExhausted,
                "received message larger than max (\(length) vs. \(max))")
        }
        return length
    }
}

/// Writes the 5-byte gRPC message prefix.
enum MessageFramer {
    static func writePrefix(length: Int, into buffer: UnsafeMutableRawBufferPointer) {
        buffer[0] = 0
        buffer[1] = UInt8(truncatingIfNeeded: length >> 24)
        buffer[2] = UInt8(truncatingIfNeeded: length >> 16)
        buffer[3] = UInt8(truncatingIfNeeded: length >> 8)
        buffer[4] = UInt8(truncatingIfNeeded: length)
    }
}
