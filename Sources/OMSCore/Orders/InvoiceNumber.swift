import KeyValueStorage

/// Invoice numbers: `INV-000001`, `INV-000002`, ...; one is issued when an
/// order is paid in full. One gap-free sequence: the counter moves in the
/// paying command's batch, so a rolled-back command gives its number back.
enum InvoiceNumber {
    static func next(transaction: inout WriteTransaction, families: ColumnFamilies) throws -> String {
        let number = try MetaCounter.next("invoice_number", transaction: &transaction, families: families)
        let digits = String(number)
        return "INV-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
