/// One cell of an exported report: text or an integer (counts and minor
/// units), so XLSX gets typed cells and CSV plain fields.
public enum ReportCell: Equatable, Sendable {
    case text(String)
    case integer(Int64)
}
