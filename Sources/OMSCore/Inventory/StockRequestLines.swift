extension Validator {
    /// The lines of a transfer, a scrap or a transfer receipt, as (sku,
    /// quantity, location): at least one (unless `allowEmpty`), at most 1000,
    /// each sku once (when `uniqueSKUs`), quantity positive, location empty
    /// or a valid code (reported as `<field>[i].<locationName>`).
    mutating func checkStockLines(
        _ lines: [(sku: String, quantity: Int64, location: String)], field: String, locationName: String,
        allowEmpty: Bool = false, uniqueSKUs: Bool = true
    ) {
        let maxLines = CreatePurchaseOrder.maxLines
        check(allowEmpty || !lines.isEmpty, field, "must have at least one line")
        check(lines.count <= maxLines, field, "must have at most \(maxLines) lines")
        var seen: Set<String> = []
        for (index, line) in lines.enumerated() {
            let prefix = "\(field)[\(index)]"
            checkSKU(line.sku, "\(prefix).sku")
            if uniqueSKUs {
                check(seen.insert(line.sku).inserted, "\(prefix).sku", "appears on more than one line")
            }
            check(line.quantity > 0, "\(prefix).quantity", "must be positive")
            check(line.quantity <= 1_000_000_000, "\(prefix).quantity", "must be at most 1000000000")
            if !line.location.isEmpty {
                checkCode(line.location, "\(prefix).\(locationName)")
            }
        }
    }
}
