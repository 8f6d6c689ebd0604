/// The identifiers omsd accepts: SKUs, warehouse and location codes, record
/// ids, API key names. They share one alphabet (letters, digits, `.`, `_`,
/// `-`; 1 to 64 bytes), which keeps them safe in keys, URLs, CSV and logs;
/// each has its own check so a rule can change for one kind alone.
extension Validator {
    /// A product's SKU.
    public mutating func checkSKU(_ sku: String, _ field: String) {
        checkIdentifier(sku, field)
    }

    /// A warehouse's or storage location's code.
    public mutating func checkCode(_ code: String, _ field: String) {
        checkIdentifier(code, field)
    }

    /// A record's id (order, shipment, return, purchase order, transfer,
    /// scrap, stocktake, customer, report definition) or an API key's name.
    public mutating func checkID(_ id: String, _ field: String) {
        checkIdentifier(id, field)
    }

    private mutating func checkIdentifier(_ value: String, _ field: String) {
        let bytes = value.utf8
        if bytes.isEmpty {
            check(false, field, "must not be empty")
            return
        }
        check(bytes.count <= Identifier.maxBytes, field, "must be at most \(Identifier.maxBytes) characters")
        check(bytes.allSatisfy(Identifier.isAllowed), field, "may contain only letters, digits, '.', '_' and '-'")
    }
}

enum Identifier {
    static let maxBytes = 64

    /// Letters, digits, `.`, `_` and `-`.
    static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
