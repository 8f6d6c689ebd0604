/// A key range to read: `[start, end)` in key order (or reverse order), at
/// most `limit` entries, optionally resumed strictly after a key: the unit of
/// every range read (`ReadView.scan`).
///
/// Engines check every key against the range itself rather than trusting a
/// native iterator's bounds, and so does the write group's merge of its own
/// writes over the engine's entries.
public struct KeyRange: Sendable, Hashable {
    /// Inclusive lower end (after applying `after` for forward scans).
    public let start: [UInt8]
    /// Exclusive upper end (after applying `after` for reverse scans); nil = none.
    public let end: [UInt8]?
    public let limit: Int
    public let reverse: Bool

    /// `[lowerBound, upperBound)`, resumed strictly after `after`: forward
    /// scans start at the smallest key greater than `after` (which is
    /// `after + [0x00]`), reverse scans end just below `after`.
    public init(lowerBound: [UInt8], upperBound: [UInt8]?, after: [UInt8]? = nil, limit: Int, reverse: Bool = false) {
        precondition(limit >= 0, "scan limit must not be negative")
        var start = lowerBound
        var end = upperBound
        if let after {
            if reverse {
                if end == nil || compareKeys(after, end!) < 0 { end = after }
            } else {
                let successor = after + [0]
                if compareKeys(successor, start) > 0 { start = successor }
            }
        }
        self.start = start
        self.end = end
        self.limit = limit
        self.reverse = reverse
    }

    /// Every key that begins with `prefix`.
    public init(prefix: [UInt8], after: [UInt8]? = nil, limit: Int, reverse: Bool = false) {
        self.init(
            lowerBound: prefix, upperBound: KeyCodec.prefixUpperBound(prefix), after: after, limit: limit,
            reverse: reverse)
    }

    /// True when no key can be in the range (or the limit is 0).
    public var isEmpty: Bool {
        if limit == 0 { return true }
        guard let end else { return false }
        return compareKeys(start, end) >= 0
    }

    /// Whether `key` lies within `[start, end)`.
    public func contains(_ key: [UInt8]) -> Bool {
        if compareKeys(key, start) < 0 { return false }
        if let end, compareKeys(key, end) >= 0 { return false }
        return true
    }

    /// The same bounds with another limit.
    public func limited(to limit: Int) -> KeyRange {
        KeyRange(lowerBound: start, upperBound: end, limit: limit, reverse: reverse)
    }
}
