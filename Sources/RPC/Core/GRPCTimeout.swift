/// The `grpc-timeout` header: at most 8 ASCII digits and a unit
/// (H hours, M minutes, S seconds, m millis, u micros, n nanos).
public enum GRPCTimeout {
    /// Parses the header value into nanoseconds; nil if malformed.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count >= 2, bytes.count <= 9 else { return nil }
        var value: Int64 = 0
        for index in 0..<(bytes.count - 1) {
            let digit = bytes[index]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        let multiplier: Int64
        switch bytes[bytes.count - 1] {
        case UInt8(ascii: "H"): multiplier = 3_600_000_000_000
        case UInt8(ascii: "M"): multiplier = 60_000_000_000
        case UInt8(ascii: "S"): multiplier = 1_000_000_000
        case UInt8(ascii: "m"): multiplier = 1_000_000
        case UInt8(ascii: "u"): multiplier = 1_000
        case UInt8(ascii: "n"): multiplier = 1
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? Int64.max : product
    }

    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Encodes nanoseconds with the finest unit that fits in 8 digits.
    public static func encode(nanoseconds: Int64) -> String {
        let value = max(nanoseconds, 0)
        let units: [(Int64, String)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (divisor, unit) in units {
            // Round up so a deadline is never shortened.
            let amount = (value + divisor - 1) / divisor
            if amount < 100_000_000 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
