import NIOCore
import NIOPosix
import OMSProto
import Synchronization
import Testing

@testable import RPC

typealias Ping = Oms_V1_PingRequest
typealias Pong = Oms_V1_PingResponse

enum Echo {
    static let unary = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Unary", clientStreaming: false, serverStreaming: false)
    static let slow = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Slow", clientStreaming: false, serverStreaming: false)
    static let fail = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Fail", clientStreaming: false, serverStreaming: false)
    static let crash = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Crash", clientStreaming: false, serverStreaming: false)
    static let expand = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Expand", clientStreaming: false, serverStreaming: true)
    static let collect = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Collect", clientStreaming: true, serverStreaming: false)
    static let chat = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Chat", clientStreaming: true, serverStreaming: true)
    static let wait = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Wait", clientStreaming: false, serverStreaming: false)
    static let metadata = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Metadata", clientStreaming: false, serverStreaming: false)
    static let missing = ProtoMethod<Ping, Pong>(
        service: "test.Echo", name: "Missing", clientStreaming: false, serverStreaming: false)
    static let unknownService = ProtoMethod<Ping, Pong>(
        service: "test.Nope", name: "Unary", clientStreaming: false, serverStreaming: false)
    static let secret = ProtoMethod<Ping, Pong>(
        service: "test.Secret", name: "Unary", clientStreaming: false, serverStreaming: false)
}

/// Counts cancellations seen by handlers.
final class Observations: Sendable {
    let cancelled = Atomic<Int>(0)
    let started = Atomic<Int>(0)
    let slowStarted = Atomic<Int>(0)
}

/// Rejects calls to test.Secret without `x-key: open`.
struct KeyInterceptor: ServerInterceptor {
    func intercept(_ head: inout ServerCallHead) throws(RPCError) {
        guard head.service == "test.Secret" else { return }
        guard head.metadata["x-key"] == "open" else { throw RPCError(.unauthenticated, "no key") }
        head.principal = "tester"
    }
}

func makeRouter(_ observations: Observations) -> Router {
    var router = Router()
    router.unary(Echo.unary) { request, _, responder in
        responder.succeed(Pong.with { $0.payload = request.payload })
    }
    router.unary(Echo.slow) { request, context, responder in
        observations.slowStarted.add(1, ordering: .relaxed)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(request.delayMillis))) {
            responder.succeed(Pong.with { $0.payload = request.payload })
        }
    }
    router.unary(Echo.fail) { _, _, responder in
        responder.fail(RPCError.invalidArgument(field: "payload", "is wrong"))
    }
    router.unary(
        Echo.crash,
        async: { _, _ in
            struct Boom: Error {}
            throw Boom()
        })
    router.serverStreaming(Echo.expand) { request, writer, _ in
        for index in 0..<Int(request.delayMillis) {
            try await writer.write(Pong.with { $0.serverTimeMillis = Int64(index) })
        }
    }
    router.clientStreaming(Echo.collect) { requests, _ in
        var total: Int64 = 0
        var count: Int64 = 0
        for try await request in requests {
            total += Int64(request.delayMillis)
            count += 1
        }
        return Pong.with {
            $0.serverTimeMillis = total
            $0.payload = Array(String(count).utf8)
        }
    }
    router.bidirectionalStreaming(Echo.chat) { requests, writer, _ in
        for try await request in requests {
            try await writer.write(Pong.with { $0.payload = request.payload })
        }
    }
    router.unary(
        Echo.wait,
        async: { _, context in
            observations.started.add(1, ordering: .relaxed)
            while !context.isCancelled && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
            }
            observations.cancelled.add(1, ordering: .relaxed)
            throw RPCError(.cancelled, "stopped")
        })
    router.unary(Echo.metadata) { _, context, responder in
        let text = context.metadata["x-text"] ?? "-"
        let binary = context.metadata.binary("x-data-bin") ?? []
        responder.succeed(Pong.with { $0.payload = Array(text.utf8) + [0] + binary })
    }
    router.unary(Echo.secret) { _, context, responder in
        responder.succeed(Pong.with { $0.payload = Array((context.principal ?? "").utf8) })
    }
    return router
}

/// A server on 127.0.0.1:0 and a client connected to it.
struct Harness {
    let server: GRPCServer
    let client: RPCClient
    let port: Int
    let observations: Observations

    static func start(maxReceive: Int = 1024 * 1024) async throws -> Harness {
        let observations = Observations()
        let server = GRPCServer(
            config: .init(
                host: "127.0.0.1", port: 0, limits: .init(maxReceiveMessageBytes: maxReceive), eventLoopThreads: 1),
            router: makeRouter(observations), interceptors: [KeyInterceptor()])
        let address = try await server.start()
        let port = address.port!
        let client = RPCClient(config: .init(host: "127.0.0.1", port: port))
        return Harness(server: server, client: client, port: port, observations: observations)
    }

    func stop() async {
        await client.close()
        await server.shutdown(gracePeriod: .seconds(2))
    }
}

func withHarness(maxReceive: Int = 1024 * 1024, _ body: (Harness) async throws -> Void) async throws {
    let harness = try await Harness.start(maxReceive: maxReceive)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "\(error)")
    }
}

@Suite("gRPC server and client")
struct ServerClientTests {
    @Test("unary call echoes the payload")
    func unary() async throws {
        try await withHarness { harness in
            let response = try await harness.client.unary(Echo.unary, Ping.with { $0.payload = [1, 2, 3] })
            #expect(response.payload == [1, 2, 3])
        }
    }

    @Test("unknown method and unknown service are UNIMPLEMENTED")
    func unimplemented() async throws {
        try await withHarness { harness in
            let method = await rpcError { _ = try await harness.client.unary(Echo.missing, Ping()) }
            #expect(method?.code == .unimplemented)
            #expect(method?.message.contains("Missing") == true)
            let service = await rpcError { _ = try await harness.client.unary(Echo.unknownService, Ping()) }
            #expect(service?.code == .unimplemented)
            #expect(service?.message.contains("test.Nope") == true)
        }
    }

    @Test("a body that is not valid protobuf is INVALID_ARGUMENT and the connection keeps working")
    func invalidProtobuf() async throws {
        try await withHarness { harness in
            // Raw method whose request type is bytes-only: send garbage bytes as the message.
            let garbage = ProtoMethod<RawBytes, Pong>(
                service: "test.Echo", name: "Unary", clientStreaming: false, serverStreaming: false)
            let error = await rpcError {
                _ = try await harness.client.unary(garbage, RawBytes(bytes: [0xFF, 0xFF, 0xFF]))
            }
            #expect(error?.code == .invalidArgument)
            let response = try await harness.client.unary(Echo.unary, Ping.with { $0.payload = [9] })
            #expect(response.payload == [9])
        }
    }

    @Test("a message over the limit is RESOURCE_EXHAUSTED and the server keeps serving")
    func oversized() async throws {
        try await withHarness(maxReceive: 1000) { harness in
            let error = await rpcError {
                _ = try await harness.client.unary(
                    Echo.unary, Ping.with { $0.payload = [UInt8](repeating: 1, count: 5000) })
            }
            #expect(error?.code == .resourceExhausted)
            let response = try await harness.client.unary(Echo.unary, Ping.with { $0.payload = [1] })
            #expect(response.payload == [1])
        }
    }

    @Test("grpc-timeout ends a slow call with DEADLINE_EXCEEDED")
    func deadline() async throws {
        try await withHarness { harness in
            let error = await rpcError {
                _ = try await harness.client.unary(
                    Echo.slow, Ping.with { $0.delayMillis = 2000 }, options: CallOptions(timeout: .milliseconds(50)))
            }
            #expect(error?.code == .deadlineExceeded)
            let fast = try await harness.client.unary(
                Echo.slow, Ping.with { $0.delayMillis = 1 }, options: CallOptions(timeout: .seconds(5)))
            #expect(fast.payload == [])
        }
    }

    @Test("handler errors carry field violations; other errors become INTERNAL without internals")
    func errors() async throws {
        try await withHarness { harness in
            let invalid = await rpcError { _ = try await harness.client.unary(Echo.fail, Ping()) }
            #expect(invalid?.code == .invalidArgument)
            #expect(invalid?.fieldViolations.first?.field == "payload")
            let crash = await rpcError { _ = try await harness.client.unary(Echo.crash, Ping()) }
            #expect(crash?.code == .internalError)
            #expect(crash?.message == "internal error")
        }
    }

    @Test("server streaming delivers every message in order")
    func serverStreaming() async throws {
        try await withHarness { harness in
            var received: [Int64] = []
            for try await message in harness.client.serverStreaming(Echo.expand, Ping.with { $0.delayMillis = 2000 }) {
                received.append(message.serverTimeMillis)
            }
            #expect(received == Array(0..<2000))
            var none = 0
            for try await _ in harness.client.serverStreaming(Echo.expand, Ping()) { none += 1 }
            #expect(none == 0)
        }
    }

    @Test("client streaming sees every request")
    func clientStreaming() async throws {
        try await withHarness { harness in
            let requests = AsyncStream<Ping> { continuation in
                for index in 1...1000 { continuation.yield(Ping.with { $0.delayMillis = Int32(index) }) }
                continuation.finish()
            }
            let response = try await harness.client.clientStreaming(Echo.collect, requests: requests)
            #expect(response.serverTimeMillis == 500_500)
            #expect(response.payload == Array("1000".utf8))
        }
    }

    @Test("bidirectional streaming echoes")
    func bidirectional() async throws {
        try await withHarness { harness in
            // The SDK client has no bidi API; drive it as client streaming to
            // check the server's bidi plumbing end to end.
            let chatAsCollect = ProtoMethod<Ping, Pong>(
                service: "test.Echo", name: "Chat", clientStreaming: true, serverStreaming: false)
            let requests = AsyncStream<Ping> { continuation in
                continuation.yield(Ping.with { $0.payload = [4] })
                continuation.finish()
            }
            let response = try await harness.client.clientStreaming(chatAsCollect, requests: requests)
            #expect(response.payload == [4])
        }
    }

    @Test("custom metadata, including -bin values, reaches the handler")
    func metadata() async throws {
        try await withHarness { harness in
            var metadata = Metadata()
            metadata.add("x-text", "hello")
            metadata.add("x-data-bin", binary: [0, 1, 254, 255])
            let response = try await harness.client.unary(
                Echo.metadata, Ping(), options: CallOptions(metadata: metadata))
            #expect(response.payload == Array("hello".utf8) + [0] + [0, 1, 254, 255])
        }
    }

    @Test("interceptors can reject a call or attach a principal")
    func interceptors() async throws {
        try await withHarness { harness in
            let rejected = await rpcError { _ = try await harness.client.unary(Echo.secret, Ping()) }
            #expect(rejected?.code == .unauthenticated)
            var metadata = Metadata()
            metadata.add("x-key", "open")
            let allowed = try await harness.client.unary(Echo.secret, Ping(), options: CallOptions(metadata: metadata))
            #expect(allowed.payload == Array("tester".utf8))
        }
    }

    @Test("cancelling the calling task cancels the handler on the server")
    func cancellation() async throws {
        try await withHarness { harness in
            let task = Task { try await harness.client.unary(Echo.wait, Ping()) }
            while harness.observations.started.load(ordering: .relaxed) == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            task.cancel()
            let error = await rpcError { _ = try await task.value }
            #expect(error?.code == .cancelled)
            for _ in 0..<200 where harness.observations.cancelled.load(ordering: .relaxed) == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(harness.observations.cancelled.load(ordering: .relaxed) == 1)
        }
    }

    @Test("200 concurrent calls on one connection all succeed")
    func concurrency() async throws {
        try await withHarness { harness in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let payload = Array(String(index).utf8)
                        let response = try await harness.client.unary(Echo.unary, Ping.with { $0.payload = payload })
                        return response.payload == payload
                    }
                }
                var ok = 0
                for try await success in group where success { ok += 1 }
                #expect(ok == 200)
            }
        }
    }

    @Test("finished calls and closed connections free their state (no retain cycles)")
    func stateIsFreed() async throws {
        let harness = try await Harness.start()
        for _ in 0..<50 { _ = try await harness.client.unary(Echo.unary, Ping()) }
        _ = await rpcError { _ = try await harness.client.unary(Echo.fail, Ping()) }
        for try await _ in harness.client.serverStreaming(Echo.expand, Ping.with { $0.delayMillis = 3 }) {}
        var streams = harness.server.liveStreamCount
        for _ in 0..<500 where streams != 0 {
            try await Task.sleep(for: .milliseconds(10))
            streams = harness.server.liveStreamCount
        }
        #expect(streams == 0)
        #expect(harness.server.liveConnectionCount == 1)
        await harness.client.close()
        var connections = harness.server.liveConnectionCount
        for _ in 0..<500 where connections != 0 {
            try await Task.sleep(for: .milliseconds(10))
            connections = harness.server.liveConnectionCount
        }
        #expect(connections == 0)
        await harness.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test("graceful shutdown lets an in-flight call finish")
    func gracefulShutdown() async throws {
        let harness = try await Harness.start()
        let call = Task {
            try await harness.client.unary(
                Echo.slow,
                Ping.with {
                    $0.delayMillis = 300
                    $0.payload = [1]
                })
        }
        // Shut down only once the server is working on the call.
        while harness.observations.slowStarted.load(ordering: .relaxed) == 0 {
            try await Task.sleep(for: .milliseconds(5))
        }
        await harness.server.shutdown(gracePeriod: .seconds(5))
        let response = try await call.value
        #expect(response.payload == [1])
        let after = await rpcError { _ = try await harness.client.unary(Echo.unary, Ping()) }
        #expect(after?.code == .unavailable)
        await harness.client.close()
    }
}

/// A message type whose encoding is arbitrary bytes, to send invalid protobuf.
struct RawBytes: ProtoMessage {
    static var protoMessageName: String { "test.RawBytes" }
    var bytes: [UInt8] = []
    var unknownFields = ProtoUnknownFields()
    init() {}
    init(bytes: [UInt8]) { self.bytes = bytes }
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) { self.bytes = Array(bytes) }
    func serializedSize() -> Int { bytes.count }
    func serialize(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer.copyBytes(from: bytes)
        return bytes.count
    }
    func serializedBytes() -> [UInt8] { bytes }
    func serialize(appendingTo out: inout [UInt8]) { out += bytes }
}
