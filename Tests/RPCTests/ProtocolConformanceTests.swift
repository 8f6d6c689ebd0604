import Logging
import NIOCore
import NIOEmbedded
import Nghttp2
import OMSProto
import Synchronization
import Testing

@testable import RPC

/// Collects a client session's view of the responses.
final class ResponseRecorder: HTTP2SessionDelegate {
    var headers: [Int32: [[String: String]]] = [:]
    var data: [Int32: [UInt8]] = [:]
    var closed: [Int32: UInt32] = [:]
    var consume = true
    weak var session: HTTP2Session?

    func http2StreamBegan(_ streamID: Int32, kind: HTTP2HeaderBlockKind) {}
    func http2Header(
        _ streamID: Int32, kind: HTTP2HeaderBlockKind, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) {
        var blocks = headers[streamID] ?? []
        if blocks.isEmpty
            || (kind == .trailers && blocks.count == 1 && blocks[0][":status"] != nil
                && !blocks[0].keys.contains("grpc-status") && pendingTrailers[streamID] != true)
        {
            if kind == .trailers { pendingTrailers[streamID] = true }
            blocks.append([:])
        }
        blocks[blocks.count - 1][String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        headers[streamID] = blocks
    }
    var pendingTrailers: [Int32: Bool] = [:]
    func http2HeadersEnded(_ streamID: Int32, kind: HTTP2HeaderBlockKind, endStream: Bool) {}
    func http2Data(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
        data[streamID, default: []] += bytes
        if consume { session?.consume(streamID: streamID, bytes: bytes.count) }
    }
    func http2InputEnded(_ streamID: Int32) {}
    func http2StreamClosed(_ streamID: Int32, errorCode: UInt32) { closed[streamID] = errorCode }

    /// All header fields the server sent on the stream, later blocks winning.
    func fields(_ id: Int32) -> [String: String] {
        (headers[id] ?? []).reduce(into: [:]) { $0.merge($1) { _, new in new } }
    }
}

/// The server connection handler on a testing channel, driven by a client session.
final class ConformanceHarness {
    let channel: NIOAsyncTestingChannel
    let recorder = ResponseRecorder()
    let client: HTTP2Session

    init(
        router: Router, clientSettings: HTTP2Settings = .defaults, maxReceive: Int = 1024, bufferBudget: Int? = nil,
        logger: Logger = Logger(label: "test"), limits: RPCLimits.Config? = nil
    ) async throws {
        var config = GRPCServer.Config(limits: .init(maxReceiveMessageBytes: maxReceive))
        if let bufferBudget { config.limits.maxBufferedRequestBytesPerConnection = bufferBudget }
        if let limits { config.limits = limits }
        let shared = ServerShared(router: router, interceptors: [], config: config, logger: logger)
        channel = NIOAsyncTestingChannel()
        let channel = self.channel
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(shared: shared))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        client = try HTTP2Session(role: .client, settings: clientSettings, delegate: recorder)
        recorder.session = client
    }

    func request(_ fields: [(String, String)], body: [UInt8]? = nil) throws -> Int32 {
        let block = HTTP2HeaderBlock(fields.map { HTTP2HeaderField($0.0, $0.1) })
        let id = try client.submitRequest(headers: block, endStream: false)
        if let body { try body.withUnsafeBytes { _ = try client.sendData(streamID: id, $0) } }
        try client.finish(streamID: id, trailers: nil)
        return id
    }

    /// Exchanges bytes until both sides are idle.
    func pump(rounds: Int = 20) async throws {
        for _ in 0..<rounds {
            var out: [UInt8] = []
            try client.send { out += $0 }
            if !out.isEmpty {
                var buffer = channel.allocator.buffer(capacity: out.count)
                buffer.writeBytes(out)
                try await channel.writeInbound(buffer)
            }
            await channel.testingEventLoop.run()
            var received = false
            while let buffer = try await channel.readOutbound(as: ByteBuffer.self) {
                received = true
                try buffer.withUnsafeReadableBytes { try client.receive($0) }
            }
            if out.isEmpty && !received { return }
        }
    }

    static func grpcHeaders(path: String = "/test.Echo/Unary") -> [(String, String)] {
        [
            (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "x"),
            ("content-type", "application/grpc"), ("te", "trailers"),
        ]
    }

    static func framed(_ message: some ProtoMessage) -> [UInt8] { GRPCFraming.frame(message) }
}

@Suite("gRPC protocol conformance (HTTP/2 level)")
struct ProtocolConformanceTests {
    static var router: Router { makeRouter(Observations()) }

    func status(_ headers: [(String, String)], body: [UInt8]? = nil) async throws -> [String: String] {
        let harness = try await ConformanceHarness(router: Self.router)
        let id = try harness.request(headers, body: body)
        try await harness.pump()
        #expect(harness.recorder.closed[id] != nil)
        return harness.recorder.fields(id)
    }

    @Test("a well-formed unary call gets 200, a message, and grpc-status 0 in trailers")
    func wellFormed() async throws {
        let harness = try await ConformanceHarness(router: Self.router)
        let id = try harness.request(
            ConformanceHarness.grpcHeaders(), body: ConformanceHarness.framed(Ping.with { $0.payload = [7] }))
        try await harness.pump()
        let blocks = try #require(harness.recorder.headers[id])
        #expect(blocks.first?[":status"] == "200")
        #expect(blocks.first?["content-type"] == "application/grpc")
        #expect(harness.recorder.fields(id)["grpc-status"] == "0")
        let data = try #require(harness.recorder.data[id])
        #expect(Array(data.prefix(5)) == [0, 0, 0, 0, UInt8(data.count - 5)])
        #expect(try Pong(serializedBytes: Array(data.dropFirst(5))).payload == [7])
    }

    @Test("missing te: trailers is refused with a trailers-only INVALID_ARGUMENT")
    func missingTE() async throws {
        let fields = try await status(ConformanceHarness.grpcHeaders().filter { $0.0 != "te" }, body: [0, 0, 0, 0, 0])
        #expect(fields[":status"] == "200")
        #expect(fields["grpc-status"] == "3")
        #expect(fields["grpc-message"]?.contains("te") == true)
    }

    @Test("a non-gRPC content-type is HTTP 415")
    func contentType() async throws {
        var headers = ConformanceHarness.grpcHeaders()
        headers[4] = ("content-type", "text/plain")
        let fields = try await status(headers, body: [0, 0, 0, 0, 0])
        #expect(fields[":status"] == "415")
    }

    @Test("application/grpc+proto is accepted")
    func grpcProto() async throws {
        var headers = ConformanceHarness.grpcHeaders()
        headers[4] = ("content-type", "application/grpc+proto")
        let fields = try await status(headers, body: [0, 0, 0, 0, 0])
        #expect(fields["grpc-status"] == "0")
    }

    @Test("an unsupported grpc-encoding is UNIMPLEMENTED with grpc-accept-encoding")
    func encoding() async throws {
        let fields = try await status(
            ConformanceHarness.grpcHeaders() + [("grpc-encoding", "gzip")], body: [0, 0, 0, 0, 0])
        #expect(fields["grpc-status"] == "12")
        #expect(fields["grpc-accept-encoding"] == "identity")
    }

    @Test("a malformed grpc-timeout is INVALID_ARGUMENT")
    func malformedTimeout() async throws {
        let fields = try await status(
            ConformanceHarness.grpcHeaders() + [("grpc-timeout", "soon")], body: [0, 0, 0, 0, 0])
        #expect(fields["grpc-status"] == "3")
    }

    @Test("GET is HTTP 405")
    func wrongMethod() async throws {
        var headers = ConformanceHarness.grpcHeaders()
        headers[0] = (":method", "GET")
        let fields = try await status(headers)
        #expect(fields[":status"] == "405")
    }

    @Test("two messages on a unary call, or a request cut inside a message, are INTERNAL")
    func framingErrors() async throws {
        let one = ConformanceHarness.framed(Ping())
        let two = try await status(ConformanceHarness.grpcHeaders(), body: one + one)
        #expect(two["grpc-status"] == "13")
        let cut = try await status(ConformanceHarness.grpcHeaders(), body: [0, 0, 0, 0, 9, 1])
        #expect(cut["grpc-status"] == "13")
        let none = try await status(ConformanceHarness.grpcHeaders(), body: [])
        #expect(none["grpc-status"] == "13")
    }

    @Test("a length prefix over the limit is refused before the body arrives")
    func oversizedPrefix() async throws {
        let fields = try await status(ConformanceHarness.grpcHeaders(), body: [0, 0, 0x10, 0, 0])
        #expect(fields["grpc-status"] == "8")
        #expect(fields["grpc-message"]?.contains("larger than max") == true)
    }

    @Test("incomplete unary requests may hold only a bounded amount of memory per connection")
    func bufferedRequestBudget() async throws {
        let harness = try await ConformanceHarness(router: Self.router, maxReceive: 1024, bufferBudget: 1000)
        let block = HTTP2HeaderBlock(ConformanceHarness.grpcHeaders().map { HTTP2HeaderField($0.0, $0.1) })
        let message = ConformanceHarness.framed(Ping.with { $0.payload = [UInt8](repeating: 7, count: 880) })
        let firstPart = Array(message.prefix(600))
        let rest = Array(message.dropFirst(600))

        let first = try harness.client.submitRequest(headers: block, endStream: false)
        try firstPart.withUnsafeBytes { _ = try harness.client.sendData(streamID: first, $0) }
        try await harness.pump()
        let second = try harness.client.submitRequest(headers: block, endStream: false)
        try firstPart.withUnsafeBytes { _ = try harness.client.sendData(streamID: second, $0) }
        try await harness.pump()
        // 600 + 600 held bytes exceed the budget: the second call is refused.
        #expect(harness.recorder.fields(second)["grpc-status"] == "8")
        #expect(harness.recorder.fields(first)["grpc-status"] == nil)

        // The first one completes normally, and the budget is free again.
        try rest.withUnsafeBytes { _ = try harness.client.sendData(streamID: first, $0) }
        try harness.client.finish(streamID: first, trailers: nil)
        try await harness.pump()
        #expect(harness.recorder.fields(first)["grpc-status"] == "0")
        let third = try harness.request(ConformanceHarness.grpcHeaders(), body: message)
        try await harness.pump()
        #expect(harness.recorder.fields(third)["grpc-status"] == "0")
    }

    @Test("a slow reader makes a streaming handler wait instead of growing memory")
    func backpressure() async throws {
        let written = Atomic<Int>(0)
        let method = ProtoMethod<Ping, Pong>(
            service: "test.Flood", name: "Flood", clientStreaming: false, serverStreaming: true)
        var router = Router()
        router.serverStreaming(method) { _, writer, _ in
            let chunk = Pong.with { $0.payload = [UInt8](repeating: 0xEE, count: 10_000) }
            for _ in 0..<500 {
                try await writer.write(chunk)
                written.add(1, ordering: .relaxed)
            }
        }
        let harness = try await ConformanceHarness(
            router: router, clientSettings: HTTP2Settings(initialStreamWindowSize: 16_384, connectionWindowSize: 65_535)
        )
        harness.recorder.consume = false
        let id = try harness.request(
            ConformanceHarness.grpcHeaders(path: "/test.Flood/Flood"), body: ConformanceHarness.framed(Ping()))
        for _ in 0..<100 {
            try await harness.pump(rounds: 2)
            try await Task.sleep(for: .milliseconds(2))
        }
        // 16 KiB went out; the writer may run ahead only up to the high-water mark (256 KiB).
        let stalled = written.load(ordering: .relaxed)
        #expect(stalled < 40, "writer ran ahead to \(stalled) messages")
        #expect((harness.recorder.data[id]?.count ?? 0) <= 16_384)

        harness.recorder.consume = true
        harness.client.consume(streamID: id, bytes: harness.recorder.data[id]?.count ?? 0)
        for _ in 0..<2000 where harness.recorder.closed[id] == nil {
            try await harness.pump(rounds: 4)
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(written.load(ordering: .relaxed) == 500)
        #expect(harness.recorder.fields(id)["grpc-status"] == "0")
        #expect(harness.recorder.data[id]?.count == 500 * (10_000 + 5 + 3))
    }
}
