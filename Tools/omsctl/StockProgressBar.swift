import Foundation
import Synchronization

/// A counter the row stream advances and the progress bar reads.
final class StockProgress: Sendable {
    let sent = Atomic<Int>(0)
}

/// `[#########           ]  45%  45000/100000 rows` redrawn in place on
/// standard error, only when standard output is a terminal (scripts and
/// pipes get no cursor movement).
struct StockProgressBar {
    let total: Int
    let enabled: Bool

    init(total: Int, enabled: Bool = isatty(STDOUT_FILENO) != 0 && isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.enabled = enabled
    }

    static func line(done: Int, total: Int, width: Int = 30) -> String {
        let fraction = total == 0 ? 1.0 : Double(min(done, total)) / Double(total)
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let percent = String(Int(fraction * 100))
        return "[\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%  \(done)/\(total) rows"
    }

    func draw(_ done: Int) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + Self.line(done: done, total: total)).utf8))
    }

    func finish() {
        guard enabled else { return }
        draw(total)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
