/// One page of a list call.
///
/// Pass ``nextPageToken`` back as the `pageToken` of the next call to get
/// the following page; it is `nil` on the last page.
public struct Page<Element: Sendable>: Sendable {
    /// The records on this page, in the order the server lists them.
    public var items: [Element]
    /// The token for the next page; `nil` when this is the last page.
    public var nextPageToken: String?

    /// A page of `items`.
    public init(items: [Element], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }

    /// Whether more pages follow.
    public var hasMore: Bool { nextPageToken != nil }
}

extension Page: Equatable where Element: Equatable {}
