import Nghttp2
import Testing

@Suite("HTTP2Session")
struct HTTP2SessionTests {
    @Test("server announces its SETTINGS first")
    func serverSettings() throws {
        let delegate = RecordingDelegate()
        let settings = HTTP2Settings(maxConcurrentStreams: 77, initialStreamWindowSize: 12345)
        let server = try HTTP2Session(role: .server, settings: settings, delegate: delegate)
        let frames = Frame.parse(try drain(server))
        let first = try #require(frames.first)
        #expect(first.type == Frame.settings)
        #expect(first.settings[3] == 77)  // MAX_CONCURRENT_STREAMS
        #expect(first.settings[4] == 12345)  // INITIAL_WINDOW_SIZE
        #expect(frames.contains { $0.type == Frame.windowUpdate && $0.streamID == 0 })
    }

    @Test("a request and a response with trailers cross between client and server")
    func roundTrip() throws {
        let pair = try SessionPair()
        let id = try pair.client.submitRequest(headers: requestHeaders, endStream: false)
        try ([1, 2, 3] as [UInt8]).withUnsafeBytes { _ = try pair.client.sendData(streamID: id, $0) }
        try pair.client.finish(streamID: id, trailers: nil)
        try pair.pump()

        #expect(pair.serverDelegate.began == [id])
        let request = try #require(pair.serverDelegate.headers[id]?.first)
        #expect(request.kind == .request)
        #expect(request.fields[":path"] == "/pkg.Service/Method")
        #expect(request.fields["te"] == "trailers")
        #expect(pair.serverDelegate.data[id] == [1, 2, 3])
        #expect(pair.serverDelegate.inputEnded.contains(id))

        try ([9, 8, 7, 6] as [UInt8]).withUnsafeBytes {
            try pair.server.submitResponse(
                streamID: id, headers: responseHeaders, body: $0, finished: true, trailers: okTrailers)
        }
        try pair.pump()
        let blocks = try #require(pair.clientDelegate.headers[id])
        #expect(blocks.count == 2)
        #expect(blocks[0].kind == .response && blocks[0].fields[":status"] == "200" && !blocks[0].endStream)
        #expect(blocks[1].kind == .trailers && blocks[1].fields["grpc-status"] == "0" && blocks[1].endStream)
        #expect(pair.clientDelegate.data[id] == [9, 8, 7, 6])
        #expect(pair.clientDelegate.closed[id] == 0)
        #expect(pair.serverDelegate.closed[id] == 0)
        #expect(pair.server.openStreamCount == 0)
    }

    @Test("a trailers-only response is one HEADERS frame with END_STREAM")
    func trailersOnly() throws {
        let pair = try SessionPair()
        let id = try pair.client.submitRequest(headers: requestHeaders, endStream: true)
        try pair.pump()
        _ = try drain(pair.server)
        let block = HTTP2HeaderBlock([
            HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc"),
            HTTP2HeaderField("grpc-status", "12"),
        ])
        try pair.server.submitHeadersOnly(streamID: id, headers: block)
        let frames = Frame.parse(try drain(pair.server)).filter { $0.streamID == UInt32(id) }
        #expect(frames.count == 1)
        #expect(frames[0].type == Frame.headers)
        #expect(frames[0].flags & 0x1 != 0)  // END_STREAM
    }

    @Test("a deferred body sends nothing until data is appended, then ends with trailers")
    func deferredBody() throws {
        let pair = try SessionPair()
        let id = try pair.client.submitRequest(headers: requestHeaders, endStream: true)
        try pair.pump()
        try pair.server.submitResponse(
            streamID: id, headers: responseHeaders, body: UnsafeRawBufferPointer(start: nil, count: 0),
            finished: false, trailers: nil)
        try pair.pump()
        #expect(pair.clientDelegate.data[id] == nil)
        #expect(pair.clientDelegate.closed[id] == nil)

        try ([5, 5] as [UInt8]).withUnsafeBytes { _ = try pair.server.sendData(streamID: id, $0) }
        try pair.pump()
        #expect(pair.clientDelegate.data[id] == [5, 5])

        try pair.server.finish(streamID: id, trailers: okTrailers)
        try pair.pump()
        #expect(pair.clientDelegate.headers[id]?.last?.fields["grpc-status"] == "0")
        #expect(pair.clientDelegate.closed[id] == 0)
        #expect(throws: HTTP2Error.self) {
            try ([1] as [UInt8]).withUnsafeBytes { _ = try pair.server.sendData(streamID: id, $0) }
        }
    }

    @Test("flow control: the sender stops at the receiver's window until it consumes")
    func flowControl() throws {
        let pair = try SessionPair(
            clientSettings: HTTP2Settings(initialStreamWindowSize: 1000, connectionWindowSize: 65_535))
        pair.clientDelegate.autoConsume = false
        let id = try pair.client.submitRequest(headers: requestHeaders, endStream: true)
        try pair.pump()
        let body = [UInt8](repeating: 0xAB, count: 5000)
        try body.withUnsafeBytes {
            try pair.server.submitResponse(
                streamID: id, headers: responseHeaders, body: $0, finished: true, trailers: okTrailers)
        }
        try pair.pump()
        #expect(pair.clientDelegate.data[id]?.count == 1000)
        #expect(pair.server.pendingOutboundBytes(streamID: id) == 4000)

        pair.client.consume(streamID: id, bytes: 1000)
        try pair.pump()
        #expect(pair.clientDelegate.data[id]?.count == 2000)
        pair.clientDelegate.autoConsume = true
        pair.client.consume(streamID: id, bytes: 1000)
        try pair.pump()
        #expect(pair.clientDelegate.data[id]?.count == 5000)
        #expect(pair.clientDelegate.closed[id] == 0)
    }

    @Test("RST_STREAM from the client closes the stream on the server with CANCEL")
    func reset() throws {
        let pair = try SessionPair()
        let id = try pair.client.submitRequest(headers: requestHeaders, endStream: false)
        try pair.pump()
        pair.client.resetStream(id, errorCode: 8)
        try pair.pump()
        #expect(pair.serverDelegate.closed[id] == 8)
        #expect(pair.server.openStreamCount == 0)
    }

    @Test("GOAWAY tells the client the last processed stream")
    func goAway() throws {
        let pair = try SessionPair()
        let first = try pair.client.submitRequest(headers: requestHeaders, endStream: true)
        try pair.pump()
        try pair.server.submitGoAway(debugData: "bye")
        try pair.pump()
        #expect(pair.clientDelegate.goAway?.lastStreamID == first)
        #expect(pair.clientDelegate.goAway?.errorCode == 0)
        // nghttp2 accepts the submission but never opens the stream: it closes
        // it locally (REFUSED_STREAM) instead of sending it.
        let late = try pair.client.submitRequest(headers: requestHeaders, endStream: true)
        try pair.pump()
        #expect(pair.clientDelegate.closed[late] == 7)
        #expect(pair.serverDelegate.began == [first])
    }

    @Test("bytes that are not an HTTP/2 preface are refused")
    func badPreface() throws {
        let delegate = RecordingDelegate()
        let server = try HTTP2Session(role: .server, delegate: delegate)
        let http1 = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let error = #expect(throws: HTTP2Error.self) { try http1.withUnsafeBytes { try server.receive($0) } }
        #expect(error?.code == .badClientMagic)
    }

    @Test("a protocol violation gets GOAWAY(PROTOCOL_ERROR) and the session stops reading")
    func protocolViolation() throws {
        let delegate = RecordingDelegate()
        let server = try HTTP2Session(role: .server, delegate: delegate)
        _ = try drain(server)
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        bytes += [0, 0, 0, 4, 0, 0, 0, 0, 0]  // empty SETTINGS
        bytes += [0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]  // DATA on stream 0: connection error
        try? bytes.withUnsafeBytes { try server.receive($0) }
        let frames = Frame.parse(try drain(server))
        let goAway = try #require(frames.first { $0.type == Frame.goAway })
        #expect(goAway.payload[7] == 1)  // PROTOCOL_ERROR
        #expect(!server.wantsRead)
    }

    @Test("random bytes after a valid preface never crash the session")
    func fuzz() throws {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let delegate = RecordingDelegate()
            let server = try HTTP2Session(role: .server, delegate: delegate)
            delegate.session = server
            var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
            let count = Int(generator.next() % 200)
            for _ in 0..<count { bytes.append(UInt8(truncatingIfNeeded: generator.next())) }
            try? bytes.withUnsafeBytes { try server.receive($0) }
            _ = try? drain(server)
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
