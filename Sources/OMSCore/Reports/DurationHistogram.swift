/// Fixed log-scale buckets for fulfilment durations: bucket 0 is [0, 60 s),
/// bucket i is [bound(i-1), bound(i)) with bound(i) = 60 s × 1.25^i in integer
/// steps (×5/4, truncated), the last bucket open-ended. A percentile is the
/// upper bound of its bucket: at most 25% above the exact value.
public enum DurationHistogram {
    public static let bucketCount = 64

    /// Upper bounds in milliseconds (exclusive), computed with integers so
    /// every build agrees on them.
    public static let upperBounds: [Int64] = {
        var bounds: [Int64] = [60_000]
        while bounds.count < bucketCount { bounds.append(bounds.last! * 5 / 4) }
        return bounds
    }()

    public static func bucket(millis: Int64) -> Int {
        let value = max(0, millis)
        var low = 0
        var high = bucketCount - 1
        // The first bound above the value; the last bucket takes the rest.
        while low < high {
            let mid = (low + high) / 2
            if value < upperBounds[mid] { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Nearest-rank percentile (`percent` 1...100) of bucket counts, as the
    /// bucket's upper bound; 0 when empty.
    public static func percentile(_ counts: [Int64], percent: Int64) -> Int64 {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let rank = (total * percent + 99) / 100
        var seen: Int64 = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= max(1, rank) { return upperBounds[index] }
        }
        return upperBounds[bucketCount - 1]
    }

    /// The smallest bound at or above `millis`: the threshold histograms can
    /// count exactly, and the first bucket index at or beyond it.
    public static func threshold(atLeast millis: Int64) -> (millis: Int64, firstBucket: Int) {
        if millis <= 0 { return (0, 0) }
        for (index, bound) in upperBounds.enumerated() where bound >= millis {
            return (bound, index + 1)
        }
        return (upperBounds[bucketCount - 1], bucketCount)
    }
}
