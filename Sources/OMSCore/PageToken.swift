/// Opaque page tokens: the last key of the previous page, hex-encoded with a
/// version prefix so the format can change without misreading old tokens.
public enum PageToken {
    public static let defaultPageSize = 50
    public static let maxPageSize = 1000

    public static func encode(_ key: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = Array("v1.".utf8)
        for byte in key {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key a token resumes after; nil for the empty (first-page) token.
    public static func decode(_ token: String, field: String = "page_token") throws(DomainError) -> [UInt8]? {
        if token.isEmpty { return nil }
        let bytes = Array(token.utf8)
        guard bytes.count > 3, bytes.starts(with: Array("v1.".utf8)), (bytes.count - 3) % 2 == 0 else {
            throw DomainError.invalid(field: field, "is not a page token returned by this server")
        }
        var key: [UInt8] = []
        var index = 3
        while index < bytes.count {
            guard let high = hex(bytes[index]), let low = hex(bytes[index + 1]) else {
                throw DomainError.invalid(field: field, "is not a page token returned by this server")
            }
            key.append(high << 4 | low)
            index += 2
        }
        return key
    }

    /// The effective page size for a request's `page_size`.
    public static func pageSize(_ requested: Int32, field: String = "page_size") throws(DomainError) -> Int {
        if requested < 0 { throw DomainError.invalid(field: field, "must not be negative") }
        if requested == 0 { return defaultPageSize }
        return min(Int(requested), maxPageSize)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
