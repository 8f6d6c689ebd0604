import OMSProto
import Testing

/// Bad bytes throw `ProtoDecodingError`; they never trap, hang or leak (the
/// AddressSanitizer suite runs these too).
@Suite struct MalformedInputTests {
    @Test(arguments: [
        ("truncated varint", [0x30, 0xFF] as [UInt8]),
        ("truncated tag", [0xFF]),
        ("varint longer than 10 bytes", [0x30] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
        ("string field with varint wire type", [0x08, 0x01]),
        ("int64 field with length-delimited wire type", [0x32, 0x01, 0x00]),
        ("length beyond the end", [0x0A, 0x05, 0x61]),
        ("huge length", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ("wire type 6", [0x0E]),
        ("start group", [0xA3, 0x06]),
        ("truncated fixed64", [0xB1, 0x06, 0x01, 0x02]),
        ("malformed nested message", [0x22, 0x02, 0x08, 0x01]),
        ("nested length beyond its parent", [0x22, 0x04, 0x0A, 0x05, 0x41, 0x42]),
        ("malformed map entry", [0x3A, 0x02, 0x08, 0x01]),
    ])
    func rejected(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: ProtoDecodingError.self, "\(name)") { try Oms_V1_Product(serializedBytes: bytes) }
    }

    @Test func errorNamesTheMessageType() {
        do {
            _ = try Google_Rpc_Status(serializedBytes: [0x0A, 0x05])
            Issue.record("decoding should have failed")
        } catch {
            #expect(error.message == "invalid protobuf for google.rpc.Status")
            #expect(error.protoMessageName == "google.rpc.Status")
        }
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 0x0005_EED0_F0A5)
        var accepted = 0
        for _ in 0..<10_000 {
            let count = Int.random(in: 0...48, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            accepted += decodeAsEveryShape(bytes)
        }
        // Some random inputs are valid encodings; the point is that none crashed.
        #expect(accepted > 0)
    }

    @Test func mutatedValidEncodingsNeverCrash() {
        var random = SplitMix64(seed: 42)
        let seeds = [
            TestMessages.product.serializedBytes(), TestMessages.status.serializedBytes(),
            TestMessages.listResponse.serializedBytes(), TestMessages.event.serializedBytes(),
        ]
        for iteration in 0..<10_000 {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
                case 1: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 2: bytes.removeSubrange(position...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                }
                if bytes.isEmpty { break }
            }
            _ = decodeAsEveryShape(bytes)
        }
    }

    /// Decodes as several message types; whatever decodes must re-encode and
    /// decode to the same value. Returns how many types accepted the bytes.
    private func decodeAsEveryShape(_ bytes: [UInt8]) -> Int {
        check(Oms_V1_Product.self, bytes) + check(Oms_V1_ListProductsResponse.self, bytes)
            + check(Google_Rpc_Status.self, bytes) + check(Oms_V1_Event.self, bytes)
            + check(Google_Rpc_ErrorInfo.self, bytes) + check(Oms_V1_IdempotencyRecord.self, bytes)
    }

    private func check<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Int {
        guard let message = try? M(serializedBytes: bytes) else { return 0 }
        let reencoded = message.serializedBytes()
        #expect((try? M(serializedBytes: reencoded)) == message, "\(M.protoMessageName) \(bytes)")
        return 1
    }
}

/// A small fixed-seed generator so failures reproduce (SplitMix64, public domain).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
