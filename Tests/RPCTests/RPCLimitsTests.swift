import NIOCore
import Nghttp2
import OMSProto
import Testing

@testable import RPC

/// Frames as a server wrote them, for checking what it announced.
private struct WireFrame {
    var type: UInt8
    var streamID: UInt32
    var payload: [UInt8]

    static func parse(_ bytes: [UInt8]) -> [WireFrame] {
        var frames: [WireFrame] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            guard offset + 9 + length <= bytes.count else { break }
            let id = bytes[(offset + 5)..<(offset + 9)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            frames.append(
                WireFrame(
                    type: bytes[offset + 3], streamID: id, payload: Array(bytes[(offset + 9)..<(offset + 9 + length)])))
            offset += 9 + length
        }
        return frames
    }

    /// A SETTINGS payload as identifier → value.
    var settings: [UInt16: UInt32] {
        stride(from: 0, to: payload.count - 5, by: 6).reduce(into: [:]) { result, index in
            let id = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
            result[id] = payload[(index + 2)..<(index + 6)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
    }

    /// A WINDOW_UPDATE's increment.
    var windowIncrement: UInt32 { payload.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF }
}

@Suite("HTTP/2 and gRPC limits")
struct RPCLimitsTests {
    @Test("the defaults are the HTTP/2 session's defaults and today's gRPC limits")
    func defaults() {
        let limits = RPCLimits.Config.defaults
        #expect(limits.http2 == HTTP2Settings.defaults)
        #expect(limits.maxConcurrentStreams == 1024)
        #expect(limits.initialStreamWindowBytes == 1 << 20)
        #expect(limits.connectionWindowBytes == 16 << 20)
        #expect(limits.maxFrameBytes == 16_384)
        #expect(limits.maxHeaderListBytes == 16_384)
        #expect(limits.maxSendHeaderBlockBytes == 65_536)
        #expect(limits.maxReceiveMessageBytes == 4 << 20)
        #expect(limits.streamHighWatermarkBytes == 256 << 10)
        #expect(limits.clientSendHighWatermarkBytes == 1 << 20)
        #expect(throws: Never.self) { try limits.validate() }
        // The buffered-request budget follows the message limit unless set.
        #expect(limits.bufferedRequestBytesPerConnection == 64 << 20)
        #expect(RPCLimits.Config(maxReceiveMessageBytes: 100 << 20).bufferedRequestBytesPerConnection == 200 << 20)
        #expect(
            RPCLimits.Config(maxReceiveMessageBytes: 100 << 20, maxBufferedRequestBytesPerConnection: 5000)
                .bufferedRequestBytesPerConnection == 5000)
    }

    @Test("values outside RFC 9113's bounds, or not positive, are refused naming the limit")
    func validation() throws {
        let cases: [(RPCLimits.Limit, RPCLimits.Config)] = [
            (.maxConcurrentStreams, .init(maxConcurrentStreams: 0)),
            (.initialStreamWindowBytes, .init(initialStreamWindowBytes: 0)),
            (.initialStreamWindowBytes, .init(initialStreamWindowBytes: 2_147_483_648)),
            (.connectionWindowBytes, .init(connectionWindowBytes: 65_534)),
            (.connectionWindowBytes, .init(connectionWindowBytes: 2_147_483_648)),
            (.maxFrameBytes, .init(maxFrameBytes: 16_383)),
            (.maxFrameBytes, .init(maxFrameBytes: 16_777_216)),
            (.maxHeaderListBytes, .init(maxHeaderListBytes: 100)),
            (.maxSendHeaderBlockBytes, .init(maxSendHeaderBlockBytes: 0)),
            (.maxReceiveMessageBytes, .init(maxReceiveMessageBytes: 0)),
            (.maxBufferedRequestBytesPerConnection, .init(maxBufferedRequestBytesPerConnection: 0)),
            (.streamHighWatermarkBytes, .init(streamHighWatermarkBytes: -1)),
            (.clientSendHighWatermarkBytes, .init(clientSendHighWatermarkBytes: 0)),
        ]
        for (limit, config) in cases {
            let error = #expect(throws: RPCLimits.InvalidLimit.self) { try config.validate() }
            #expect(error?.limit == limit)
        }
        // The bounds themselves are fine.
        let edges = RPCLimits.Config(
            maxConcurrentStreams: 1, initialStreamWindowBytes: 2_147_483_647, connectionWindowBytes: 65_535,
            maxFrameBytes: 16_777_215, maxHeaderListBytes: 1024)
        #expect(throws: Never.self) { try edges.validate() }

        let frame = RPCLimits.InvalidLimit(limit: .maxFrameBytes, value: 100)
        #expect(frame.description == "maxFrameBytes must be from 16384 to 16777215 (RFC 9113 §6.5.2), got 100")
        #expect(
            frame.description(naming: "--max-frame-bytes")
                == "--max-frame-bytes must be from 16384 to 16777215 (RFC 9113 §6.5.2), got 100")
        #expect(
            RPCLimits.InvalidLimit(limit: .maxReceiveMessageBytes, value: 0).description
                == "maxReceiveMessageBytes must be at least 1, got 0")
    }

    @Test("a server with invalid limits does not start")
    func serverRefusesInvalidLimits() async throws {
        let server = GRPCServer(
            config: .init(port: 0, limits: .init(maxFrameBytes: 1000), eventLoopThreads: 1), router: Router())
        let error = await #expect(throws: RPCLimits.InvalidLimit.self) { try await server.start() }
        #expect(error?.limit == .maxFrameBytes)
        #expect(server.localAddress == nil)
        await server.shutdown(gracePeriod: .milliseconds(10))
    }

    @Test("the server advertises the configured HTTP/2 limits and enforces the configured message limit")
    func advertisedAndEnforced() async throws {
        let limits = RPCLimits.Config(
            maxConcurrentStreams: 7, initialStreamWindowBytes: 70_000, connectionWindowBytes: 1 << 20,
            maxFrameBytes: 32_768, maxHeaderListBytes: 8192, maxReceiveMessageBytes: 100)
        let harness = try await ConformanceHarness(router: makeRouter(Observations()), limits: limits)
        var bytes: [UInt8] = []
        while let buffer = try await harness.channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytesView
        }
        let frames = WireFrame.parse(bytes)
        let settings = try #require(frames.first { $0.type == 4 }).settings
        #expect(settings[3] == 7)  // MAX_CONCURRENT_STREAMS
        #expect(settings[4] == 70_000)  // INITIAL_WINDOW_SIZE
        #expect(settings[5] == 32_768)  // MAX_FRAME_SIZE
        #expect(settings[6] == 8192)  // MAX_HEADER_LIST_SIZE
        let window = try #require(frames.first { $0.type == 8 && $0.streamID == 0 })
        #expect(window.windowIncrement == UInt32((1 << 20) - 65_535))
        try bytes.withUnsafeBytes { try harness.client.receive($0) }

        // 100 bytes pass, 101 do not.
        let atLimit = ConformanceHarness.framed(Ping.with { $0.payload = [UInt8](repeating: 1, count: 98) })
        #expect(atLimit.count == 105)
        let fits = try harness.request(ConformanceHarness.grpcHeaders(), body: atLimit)
        let over = try harness.request(
            ConformanceHarness.grpcHeaders(), body: [0, 0, 0, 0, 101] + Array(repeating: 0, count: 101))
        try await harness.pump()
        #expect(harness.recorder.fields(fits)["grpc-status"] == "0")
        #expect(harness.recorder.fields(over)["grpc-status"] == "8")
        #expect(harness.recorder.fields(over)["grpc-message"]?.contains("101 vs. 100") == true)
    }

    @Test("a client's message limit bounds the responses it accepts")
    func clientMessageLimit() async throws {
        let harness = try await Harness.start()
        let small = RPCClient(
            config: .init(host: "127.0.0.1", port: harness.port, limits: .init(maxReceiveMessageBytes: 50)))
        let fits = try await small.unary(Echo.unary, Ping.with { $0.payload = [UInt8](repeating: 1, count: 40) })
        #expect(fits.payload.count == 40)
        let error = await #expect(throws: RPCError.self) {
            try await small.unary(Echo.unary, Ping.with { $0.payload = [UInt8](repeating: 1, count: 60) })
        }
        #expect(error?.code == .resourceExhausted)
        await small.close()
        await harness.stop()
    }
}
