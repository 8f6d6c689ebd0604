import OMSProto
import Testing

@testable import RPC

#if canImport(Glibc)
    import Glibc
#endif

/// Raw TCP clients that misbehave must never take the server down nor
/// disturb a well-behaved client on another connection.
@Suite("Malformed connections")
struct MalformedConnectionTests {
    /// Sends `bytes` on a fresh TCP connection, reads until the server
    /// closes (or 2 s pass) and returns what it sent back.
    static func exchange(port: Int, _ bytes: [UInt8]) -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return [] }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return received
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]

    @Test("HTTP/1.1, garbage, bad frames and random bytes: each connection is closed, the server keeps serving")
    func misbehavingClients() async throws {
        try await withHarness { harness in
            var generator = SplitMix64(seed: 7)
            var inputs: [[UInt8]] = [
                Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                Array(repeating: 0xFF, count: 100),
                Self.preface + [0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],  // DATA on stream 0
                Self.preface + [0, 0, 1, 1, 4, 0, 0, 0, 2, 0x82],  // HEADERS on an even stream id
                Self.preface + [0xFF, 0xFF, 0xFF, 1, 4, 0, 0, 0, 1],  // frame larger than allowed
            ]
            for _ in 0..<50 {
                var bytes = Self.preface
                for _ in 0..<Int(generator.next() % 300) { bytes.append(UInt8(truncatingIfNeeded: generator.next())) }
                inputs.append(bytes)
            }
            for input in inputs {
                _ = Self.exchange(port: harness.port, input)
                let response = try await harness.client.unary(Echo.unary, Ping.with { $0.payload = [1] })
                #expect(response.payload == [1])
            }
            // A protocol violation is answered with GOAWAY (frame type 7) before the close.
            let answer = Self.exchange(port: harness.port, Self.preface + [0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
            var offset = 0
            var types: [UInt8] = []
            while offset + 9 <= answer.count {
                let length = Int(answer[offset]) << 16 | Int(answer[offset + 1]) << 8 | Int(answer[offset + 2])
                types.append(answer[offset + 3])
                offset += 9 + length
            }
            #expect(types.contains(7))
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
