/// Idempotency keys for writes.
///
/// omsd remembers each `request_id` with the response it gave: a retry with
/// the same key and the same request gets the original response instead of
/// applying the write twice. The SDK makes one key per logical call and reuses
/// it on every retry of that call.
public enum RequestID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)  // Crockford base32

    /// A new key: `req_` and a 26-character ULID (48-bit millisecond time,
    /// 80 random bits, Crockford base32), so keys sort by creation time.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, UnixTime.nowMillis()))
        return generate(millis: millis, using: &generator)
    }

    static func generate<G: RandomNumberGenerator>(millis: UInt64, using generator: inout G) -> String {
        // 128 bits: the time in the top 48, randomness in the low 80; encoded
        // 5 bits at a time from the top, after 2 leading zero bits (26 × 5 = 130).
        let high = (millis & 0xFFFF_FFFF_FFFF) << 16 | UInt64.random(in: 0...0xFFFF, using: &generator)
        let low = UInt64.random(in: 0...UInt64.max, using: &generator)
        var characters: [UInt8] = []
        characters.reserveCapacity(30)
        characters.append(contentsOf: Array("req_".utf8))
        for index in 0..<26 {
            let bitFromTop = index * 5 - 2  // position of this group's first bit in the 128-bit value
            var value: UInt64 = 0
            for bit in 0..<5 {
                let position = bitFromTop + bit
                guard position >= 0 else { continue }
                let set =
                    position < 64 ? (high >> UInt64(63 - position)) & 1 : (low >> UInt64(127 - position)) & 1
                value |= set << UInt64(4 - bit)
            }
            characters.append(alphabet[Int(value)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
