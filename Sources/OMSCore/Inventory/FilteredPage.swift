import KeyValueStorage

/// One page of a key-ordered scan whose rows are filtered after reading:
/// reads in chunks until the page is full or the range ends, so a selective
/// filter never returns a short page while more rows match. The token is
/// the last key read, so the next page resumes exactly after it.
struct FilteredPage<Row> {
    var rows: [Row] = []
    var nextPageToken = ""

    init(
        view: any ReadView, family: ColumnFamily, from lower: [UInt8], to upper: [UInt8]?,
        pageToken: String, pageSize: Int, select: ([UInt8], [UInt8]) throws -> Row?
    ) throws {
        var after = try PageToken.decode(pageToken)
        let chunk = max(pageSize, 256)
        var exhausted = false
        while rows.count < pageSize && !exhausted {
            let entries = try view.scan(family, from: lower, to: upper, after: after, limit: chunk)
            var consumed = 0
            for entry in entries {
                consumed += 1
                after = entry.key
                if let row = try select(entry.key, entry.value) {
                    rows.append(row)
                    if rows.count == pageSize { break }
                }
            }
            if entries.count < chunk && consumed == entries.count { exhausted = true }
        }
        if !exhausted, let after { nextPageToken = PageToken.encode(after) }
    }
}
