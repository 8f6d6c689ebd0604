/// Terminal charts for reports: horizontal bars (one per row, scaled per
/// currency so currencies are never compared) and sparklines (one line per
/// series over the periods).
enum ReportsChart {
    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `items`: label, scale group (the currency), value, printed value.
    static func bars(_ items: [(label: String, group: String, value: Int64, text: String)], width: Int) -> String {
        let labelWidth = min(40, items.map(\.label.count).max() ?? 0)
        let textWidth = items.map(\.text.count).max() ?? 0
        let barWidth = max(10, width - labelWidth - textWidth - 4)
        var maxima: [String: Int64] = [:]
        for item in items { maxima[item.group] = max(maxima[item.group] ?? 0, item.value) }
        var lines: [String] = []
        for item in items {
            let top = maxima[item.group] ?? 0
            let length = top > 0 && item.value > 0 ? max(1, Int(item.value * Int64(barWidth) / top)) : 0
            let label = item.label.count > labelWidth ? String(item.label.prefix(labelWidth)) : item.label
            lines.append(
                label.padded(to: labelWidth) + "  " + String(repeating: "█", count: length)
                    + String(repeating: " ", count: barWidth - length) + "  " + item.text)
        }
        return lines.joined(separator: "\n")
    }

    /// One character per value, ▁ for the series minimum (or zero) to █ for its maximum.
    static func sparkline(_ values: [Int64]) -> String {
        let low = min(0, values.min() ?? 0)
        let high = values.max() ?? 0
        guard high > low else { return String(repeating: sparks[0], count: values.count) }
        return String(values.map { sparks[Int((($0 - low) * Int64(sparks.count - 1)) / (high - low))] })
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
