public import OMSProto

/// Validation of money values: integer minor units and an ISO 4217 code.
public enum MoneyRules {
    /// Three upper-case ASCII letters.
    public static func isCurrencyCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return bytes.count == 3 && bytes.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    public static func validate(
        _ money: Oms_V1_Money?, field: String, required: Bool, allowNegative: Bool = false,
        into validator: inout Validator
    ) {
        guard let money else {
            validator.check(!required, field, "is required")
            return
        }
        validator.check(
            isCurrencyCode(money.currencyCode), "\(field).currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(money.currencyCode)'")
        validator.check(allowNegative || money.amountMinor >= 0, "\(field).amount_minor", "must not be negative")
    }
}
