/// Walks a paged list call one element at a time, fetching the next page only
/// when the previous one has been consumed, so a slow consumer never makes
/// pages pile up in memory.
actor PageCursor<Element: Sendable> {
    typealias FetchPage = @Sendable (_ pageToken: String?) async throws(OMSError) -> Page<Element>

    private let fetch: FetchPage
    private var buffer: [Element] = []
    private var position = 0
    private var nextToken: String?
    private var started = false

    init(fetch: @escaping FetchPage) {
        self.fetch = fetch
    }

    /// The next element; `nil` after the last page.
    func next() async throws(OMSError) -> Element? {
        while position == buffer.count {
            if started && nextToken == nil { return nil }
            if Task.isCancelled { throw OMSError(code: .cancelled, message: "the listing was cancelled") }
            let page = try await fetch(nextToken)
            started = true
            buffer = page.items
            position = 0
            nextToken = page.nextPageToken
        }
        defer { position += 1 }
        return buffer[position]
    }
}
