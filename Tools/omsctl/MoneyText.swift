/// Decimal prices as people type them ↔ integer minor units as the API
/// stores them. Pure integer arithmetic on the digits: never a floating
/// point number, so `0.10 + 0.20` stays exact and `12.505 USD` is rejected
/// rather than silently rounded.
enum MoneyText {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// ISO 4217 minor-unit exponents that are not 2.
    private static let exponents: [String: Int] = [
        // No minor unit.
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
        "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        // Thousandths.
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        // Ten-thousandths.
        "CLF": 4, "UYW": 4,
    ]

    /// Digits after the decimal point in `currency` (2 unless ISO 4217 says otherwise).
    static func exponent(of currency: String) -> Int {
        exponents[currency.uppercased()] ?? 2
    }

    /// `usd` → `USD`; anything but three ASCII letters is an error.
    static func currencyCode(_ text: String) throws(ParseError) -> String {
        let code = text.uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ParseError(
                description: "'\(text)' is not an ISO 4217 currency code (three letters, e.g. USD, EUR, JPY)")
        }
        return code
    }

    /// Parses `12`, `12.5`, `12.50`, `0.99` or `.99` into minor units of `currency`.
    static func minorUnits(_ text: String, currency: String) throws(ParseError) -> Int64 {
        let exponent = exponent(of: currency)
        let example = exponent == 0 ? "1250" : "12." + String(repeating: "5", count: exponent)
        func invalid(_ why: String) -> ParseError {
            ParseError(description: "invalid price '\(text)': \(why) (e.g. --price \(example) for \(currency))")
        }
        if text.hasPrefix("-") { throw invalid("a price cannot be negative") }
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw invalid("more than one decimal point") }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty) else { throw invalid("no digits") }
        guard (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw invalid("use only digits and one '.' as the decimal point, no signs, spaces or thousands separators")
        }
        if parts.count == 2 && fraction.isEmpty { throw invalid("digits are missing after the decimal point") }
        guard fraction.count <= exponent else {
            throw invalid(
                exponent == 0
                    ? "\(currency) has no minor unit, so the price must be a whole number"
                    : "\(currency) has \(exponent) decimal places, this has \(fraction.count)")
        }
        var amount: Int64 = 0
        let digits = whole + fraction + String(repeating: "0", count: exponent - fraction.count)
        for digit in digits {
            let (shifted, overflow1) = amount.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = shifted.addingReportingOverflow(Int64(digit.wholeNumberValue!))
            if overflow1 || overflow2 { throw invalid("too large") }
            amount = added
        }
        return amount
    }

    /// Minor units back to a decimal: `1250, USD` → `12.50`, `1250, JPY` → `1250`.
    static func decimal(_ amountMinor: Int64, currency: String) -> String {
        decimal(amountMinor, places: exponent(of: currency))
    }

    /// An integer count of 10^-places units as a decimal: `1234, 3` → `1.234`.
    static func decimal(_ amountMinor: Int64, places exponent: Int) -> String {
        let digits = String(amountMinor.magnitude)
        let sign = amountMinor < 0 ? "-" : ""
        guard exponent > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return sign + padded[..<split] + "." + padded[split...]
    }

    /// `USD 12.50`; empty when there is no price.
    static func display(currency: String, amountMinor: Int64) -> String {
        currency.isEmpty && amountMinor == 0 ? "" : "\(currency) \(decimal(amountMinor, currency: currency))"
    }
}
