import OMSProto
import Testing

@testable import RPC

@Suite("gRPC wire details")
struct CoreTests {
    @Test("grpc-timeout parses every unit and rejects malformed values")
    func timeoutParsing() {
        #expect(GRPCTimeout.parse("1H") == 3_600_000_000_000)
        #expect(GRPCTimeout.parse("2M") == 120_000_000_000)
        #expect(GRPCTimeout.parse("3S") == 3_000_000_000)
        #expect(GRPCTimeout.parse("4m") == 4_000_000)
        #expect(GRPCTimeout.parse("5u") == 5_000)
        #expect(GRPCTimeout.parse("6n") == 6)
        #expect(GRPCTimeout.parse("99999999H") == Int64.max || GRPCTimeout.parse("99999999H")! > 0)
        for bad in ["", "S", "1", "1x", "123456789S", "-1S", "1.5S", " 1S"] {
            #expect(GRPCTimeout.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("grpc-timeout encoding round-trips and never shortens the deadline")
    func timeoutEncoding() {
        for nanos: Int64 in [0, 1, 999, 1_000, 1_500_000, 2_000_000_000, 90_000_000_000, 7_200_000_000_000] {
            let encoded = GRPCTimeout.encode(nanoseconds: nanos)
            #expect(encoded.utf8.count <= 9)
            let decoded = GRPCTimeout.parse(encoded)!
            #expect(decoded >= nanos)
        }
    }

    @Test("grpc-message percent-encoding round-trips UTF-8 and control characters")
    func percentEncoding() {
        let message = "bad field: 'naïve' 100% \n 订单"
        let encoded = PercentEncoding.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(!encoded.contains("\n"))
        #expect(PercentEncoding.decode(encoded) == message)
        #expect(PercentEncoding.decode("50%zz") == "50%zz")  // malformed escapes are kept
    }

    @Test("base64 matches RFC 4648 vectors, with and without padding")
    func base64() {
        let vectors = [
            "": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(ProtoBase64.encode(Array(plain.utf8), padded: false) == encoded)
            #expect(ProtoBase64.decode(encoded) == Array(plain.utf8))
            #expect(ProtoBase64.decode(ProtoBase64.encode(Array(plain.utf8), padded: true)) == Array(plain.utf8))
        }
        #expect(ProtoBase64.decode("Zm8=") == Array("fo".utf8))
        #expect(ProtoBase64.encode(Array("fo".utf8), padded: true) == "Zm8=")
        #expect(ProtoBase64.decode("Zm9v!") == nil)
        #expect(ProtoBase64.decode("Zm 9v") == nil)
    }

    @Test("the deframer reassembles messages split at every possible byte")
    func deframerSplits() throws {
        let messages: [[UInt8]] = [[], [1], Array(0..<200), [7, 7, 7]]
        var wire: [UInt8] = []
        for message in messages {
            wire += [0, 0, 0, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        }
        for split in 0...wire.count {
            var deframer = MessageDeframer(maxMessageBytes: 1024)
            var received: [[UInt8]] = []
            for part in [Array(wire[..<split]), Array(wire[split...])] {
                try part.withUnsafeBytes { bytes in
                    try deframer.process(bytes) { received.append(Array($0)) }
                }
            }
            #expect(received == messages, "split at \(split)")
            #expect(!deframer.hasPartialMessage)
        }
        // One byte at a time.
        var deframer = MessageDeframer(maxMessageBytes: 1024)
        var received: [[UInt8]] = []
        for byte in wire {
            try [byte].withUnsafeBytes { bytes in try deframer.process(bytes) { received.append(Array($0)) } }
        }
        #expect(received == messages)
    }

    @Test("the deframer refuses oversized and compressed messages before buffering them")
    func deframerLimits() {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        let oversized: [UInt8] = [0, 0, 0, 0, 11]
        let error = #expect(throws: RPCError.self) {
            try oversized.withUnsafeBytes { try deframer.process($0) { _ in } }
        }
        #expect(error?.code == .resourceExhausted)

        var other = MessageDeframer(maxMessageBytes: 10)
        let compressed: [UInt8] = [1, 0, 0, 0, 1, 9]
        let compressedError = #expect(throws: RPCError.self) {
            try compressed.withUnsafeBytes { try other.process($0) { _ in } }
        }
        #expect(compressedError?.code == .internalError)
    }

    @Test("status details round-trip through google.rpc.Status")
    func statusDetails() throws {
        let error = RPCError(
            .invalidArgument, "bad",
            details: [
                .fieldViolation(field: "product.sku", description: "must not be empty", reason: "INVALID_FIELD"),
                .errorInfo(reason: "SKU_INVALID", domain: "oms.v1", metadata: ["a": "b"]),
                .preconditionViolation(type: "STOCK", subject: "sku:A", description: "not enough"),
            ])
        let decoded = try #require(StatusDetailsCodec.decode(StatusDetailsCodec.encode(error)))
        #expect(decoded.code == 3)
        #expect(decoded.message == "bad")
        #expect(Set(decoded.details) == Set(error.details))
    }
}
