import ArgumentParser

/// How results are printed on standard output.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// Aligned columns for people; fits the terminal width ($COLUMNS, else 80).
    case table
    /// Pretty-printed JSON with sorted keys; proto3 JSON field names.
    case json
    /// RFC 4180 CSV with a header row.
    case csv
}
