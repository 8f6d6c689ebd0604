/// The bytes queued for one stream's DATA frames, and how the stream ends.
///
/// nghttp2 pulls from it through the data-provider callback whenever flow
/// control allows; when it is empty and not finished the provider defers, and
/// `HTTP2Session.sendData` resumes it. Owned by the session's stream table.
final class OutboundBody {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// No more data will be appended.
    private(set) var isFinished = false
    /// Sent as a trailing HEADERS frame after the data, if set.
    private(set) var trailers: HTTP2HeaderBlock?
    /// nghttp2 returned DEFERRED for this stream and waits for a resume.
    var isDeferred = false

    init() {}

    /// Takes `bytes` as the whole queue without copying (the common unary
    /// response: one framed message handed over at once).
    init(adopting bytes: [UInt8]) {
        buffer = bytes
    }

    var pendingBytes: Int { buffer.count - readIndex }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    func finish(trailers: HTTP2HeaderBlock?) {
        isFinished = true
        self.trailers = trailers
    }

    /// Copies up to `capacity` pending bytes into `destination`; returns the count.
    func read(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        let count = min(capacity, pendingBytes)
        guard count > 0 else { return 0 }
        buffer.withUnsafeBufferPointer { source in
            destination.update(from: source.baseAddress! + readIndex, count: count)
        }
        readIndex += count
        if readIndex == buffer.count {
            // Keep capacity for the next message of a stream; drop large buffers.
            if buffer.capacity > 1 << 20 {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        }
        return count
    }
}
