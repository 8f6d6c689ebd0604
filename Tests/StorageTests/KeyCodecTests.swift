import Storage
import Testing

@Suite struct KeyCodecTests {
    private func sign(_ value: Int) -> Int { value < 0 ? -1 : (value > 0 ? 1 : 0) }

    @Test func unsignedByteOrderIsNumericOrder() throws {
        var generator = SystemRandomNumberGenerator()
        let edges: [UInt64] = [0, 1, 255, 256, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]
        let values =
            edges
            + (0..<2000).map { _ in UInt64.random(in: .min ... .max, using: &generator) >> UInt64.random(in: 0...63) }
        for _ in 0..<5000 {
            let a = values.randomElement()!
            let b = values.randomElement()!
            let order = KeyCodec.compare(KeyCodec.encode(a), KeyCodec.encode(b))
            #expect(sign(order) == (a < b ? -1 : (a == b ? 0 : 1)), "\(a) vs \(b)")
        }
        for value in values.prefix(200) {
            var reader = KeyCodec.Reader(KeyCodec.encode(value))
            #expect(try reader.readUInt64() == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test func signedByteOrderIsNumericOrderIncludingNegatives() throws {
        let edges: [Int64] = [.min, .min + 1, -1_000_000, -256, -1, 0, 1, 255, 1_000_000, .max - 1, .max]
        let values = edges + (0..<2000).map { _ in Int64.random(in: .min ... .max) >> Int64.random(in: 0...62) }
        for _ in 0..<5000 {
            let a = values.randomElement()!
            let b = values.randomElement()!
            var ka: [UInt8] = []
            var kb: [UInt8] = []
            KeyCodec.append(a, to: &ka)
            KeyCodec.append(b, to: &kb)
            #expect(sign(KeyCodec.compare(ka, kb)) == (a < b ? -1 : (a == b ? 0 : 1)), "\(a) vs \(b)")
        }
        for value in values.prefix(200) {
            var key: [UInt8] = []
            KeyCodec.append(value, to: &key)
            var reader = KeyCodec.Reader(key)
            #expect(try reader.readInt64() == value)
        }
        var minusOne: [UInt8] = []
        KeyCodec.append(Int64(-1), to: &minusOne)
        #expect(minusOne == [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func terminatedStringsKeepLexicographicOrderAndAreExactPrefixes() throws {
        let alphabet: [Character] = ["a", "b", "z", "\0", "\u{1}", "é", "~"]
        func randomString() -> String {
            String((0..<Int.random(in: 0...6)).map { _ in alphabet.randomElement()! })
        }
        for _ in 0..<3000 {
            let a = randomString()
            let b = randomString()
            var ka: [UInt8] = []
            var kb: [UInt8] = []
            KeyCodec.append(a, to: &ka)
            KeyCodec.append(b, to: &kb)
            let expected = sign(KeyCodec.compare(Array(a.utf8), Array(b.utf8)))
            #expect(sign(KeyCodec.compare(ka, kb)) == expected, "\(Array(a.utf8)) vs \(Array(b.utf8))")
            // An encoded component is never a prefix of a different one's.
            if a != b {
                #expect(!kb.starts(with: ka))
            }
        }
    }

    @Test func compositeKeysRoundTrip() throws {
        var key: [UInt8] = []
        KeyCodec.append("cust\0omer", to: &key)
        KeyCodec.append(Int64(-42), to: &key)
        KeyCodec.append(UInt32(7), to: &key)
        KeyCodec.appendLengthPrefixed("ord_123", to: &key)
        KeyCodec.appendTerminated([0, 0, 1, 2], to: &key)
        key += [9, 9]

        var reader = KeyCodec.Reader(key)
        #expect(try reader.readString() == "cust\0omer")
        #expect(try reader.readInt64() == -42)
        #expect(try reader.readUInt32() == 7)
        #expect(try reader.readLengthPrefixedString() == "ord_123")
        #expect(try reader.readTerminated() == [0, 0, 1, 2])
        #expect(reader.readRemaining() == [9, 9])
        #expect(reader.isAtEnd)
    }

    @Test func malformedKeysThrow() {
        var short = KeyCodec.Reader([1, 2, 3])
        #expect(storageError { try short.readUInt64() }?.code == .invalidArgument)
        var unterminated = KeyCodec.Reader(Array("abc".utf8))
        #expect(storageError { try unterminated.readString() }?.code == .invalidArgument)
        var badEscape = KeyCodec.Reader([0x61, 0x00, 0x07])
        #expect(storageError { try badEscape.readTerminated() }?.code == .invalidArgument)
        var badLength = KeyCodec.Reader([0, 0, 0, 9, 1])
        #expect(storageError { try badLength.readLengthPrefixed() }?.code == .invalidArgument)
    }

    @Test func prefixUpperBound() {
        #expect(KeyCodec.prefixUpperBound([1, 2, 3]) == [1, 2, 4])
        #expect(KeyCodec.prefixUpperBound([1, 0xFF, 0xFF]) == [2])
        #expect(KeyCodec.prefixUpperBound([0xFF, 0xFF]) == nil)
        #expect(KeyCodec.prefixUpperBound([]) == nil)
    }
}
