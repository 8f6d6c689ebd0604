import Nghttp2

/// Records everything a session reports, for assertions.
final class RecordingDelegate: HTTP2SessionDelegate {
    struct Headers: Equatable {
        var kind: HTTP2HeaderBlockKind
        var fields: [String: String] = [:]
        var endStream = false
        var complete = false
    }

    var began: [Int32] = []
    var headers: [Int32: [Headers]] = [:]
    var data: [Int32: [UInt8]] = [:]
    var inputEnded: Set<Int32> = []
    var closed: [Int32: UInt32] = [:]
    var goAway: (lastStreamID: Int32, errorCode: UInt32)?
    var drained: [Int32: Int] = [:]
    /// Consume received data at once (true) or leave the window closed.
    var autoConsume = true
    weak var session: HTTP2Session?

    func http2StreamBegan(_ streamID: Int32, kind: HTTP2HeaderBlockKind) { began.append(streamID) }

    func http2Header(
        _ streamID: Int32, kind: HTTP2HeaderBlockKind, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) {
        var blocks = headers[streamID] ?? []
        if blocks.last == nil || blocks.last!.complete { blocks.append(Headers(kind: kind)) }
        blocks[blocks.count - 1].fields[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        headers[streamID] = blocks
    }

    func http2HeadersEnded(_ streamID: Int32, kind: HTTP2HeaderBlockKind, endStream: Bool) {
        guard var blocks = headers[streamID], !blocks.isEmpty else { return }
        blocks[blocks.count - 1].complete = true
        blocks[blocks.count - 1].endStream = endStream
        headers[streamID] = blocks
    }

    func http2Data(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
        data[streamID, default: []].append(contentsOf: bytes)
        if autoConsume { session?.consume(streamID: streamID, bytes: bytes.count) }
    }

    func http2InputEnded(_ streamID: Int32) { inputEnded.insert(streamID) }
    func http2StreamClosed(_ streamID: Int32, errorCode: UInt32) { closed[streamID] = errorCode }
    func http2OutboundDrained(_ streamID: Int32, pendingBytes: Int) { drained[streamID] = pendingBytes }
    func http2GoAwayReceived(lastStreamID: Int32, errorCode: UInt32) { goAway = (lastStreamID, errorCode) }
}

/// A client and a server session joined in memory.
final class SessionPair {
    let clientDelegate = RecordingDelegate()
    let serverDelegate = RecordingDelegate()
    let client: HTTP2Session
    let server: HTTP2Session

    init(clientSettings: HTTP2Settings = .defaults, serverSettings: HTTP2Settings = .defaults) throws {
        client = try HTTP2Session(role: .client, settings: clientSettings, delegate: clientDelegate)
        server = try HTTP2Session(role: .server, settings: serverSettings, delegate: serverDelegate)
        clientDelegate.session = client
        serverDelegate.session = server
    }

    /// Moves bytes both ways until neither side has anything to send.
    func pump() throws {
        for _ in 0..<100 {
            var moved = false
            var bytes: [UInt8] = []
            try client.send { bytes.append(contentsOf: $0) }
            if !bytes.isEmpty {
                moved = true
                try bytes.withUnsafeBytes { try server.receive($0) }
            }
            bytes.removeAll()
            try server.send { bytes.append(contentsOf: $0) }
            if !bytes.isEmpty {
                moved = true
                try bytes.withUnsafeBytes { try client.receive($0) }
            }
            if !moved { return }
        }
    }
}

/// A parsed HTTP/2 frame header + payload, for checking what a session wrote.
struct Frame {
    var type: UInt8
    var flags: UInt8
    var streamID: UInt32
    var payload: [UInt8]

    static let data: UInt8 = 0, headers: UInt8 = 1, rstStream: UInt8 = 3, settings: UInt8 = 4, ping: UInt8 = 6,
        goAway: UInt8 = 7, windowUpdate: UInt8 = 8

    /// Splits bytes into frames (skipping a leading client preface).
    static func parse(_ bytes: [UInt8]) -> [Frame] {
        var offset = 0
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        if bytes.starts(with: preface) { offset = preface.count }
        var frames: [Frame] = []
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let id =
                (UInt32(bytes[offset + 5]) << 24 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 8
                    | UInt32(bytes[offset + 8])) & 0x7FFF_FFFF
            guard offset + 9 + length <= bytes.count else { break }
            frames.append(
                Frame(
                    type: bytes[offset + 3], flags: bytes[offset + 4], streamID: id,
                    payload: Array(bytes[(offset + 9)..<(offset + 9 + length)])))
            offset += 9 + length
        }
        return frames
    }

    /// SETTINGS payload as id → value.
    var settings: [UInt16: UInt32] {
        var result: [UInt16: UInt32] = [:]
        var index = 0
        while index + 6 <= payload.count {
            let id = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
            let value =
                UInt32(payload[index + 2]) << 24 | UInt32(payload[index + 3]) << 16 | UInt32(payload[index + 4]) << 8
                | UInt32(payload[index + 5])
            result[id] = value
            index += 6
        }
        return result
    }
}

func drain(_ session: HTTP2Session) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try session.send { bytes.append(contentsOf: $0) }
    return bytes
}

let requestHeaders = HTTP2HeaderBlock([
    HTTP2HeaderField(":method", "POST"), HTTP2HeaderField(":scheme", "http"),
    HTTP2HeaderField(":path", "/pkg.Service/Method"), HTTP2HeaderField(":authority", "localhost"),
    HTTP2HeaderField("content-type", "application/grpc"), HTTP2HeaderField("te", "trailers"),
])
let responseHeaders = HTTP2HeaderBlock([
    HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc"),
])
let okTrailers = HTTP2HeaderBlock([HTTP2HeaderField("grpc-status", "0")])
