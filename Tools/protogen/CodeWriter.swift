// Builds generated source text line by line with consistent indentation.

final class CodeWriter {
    private(set) var text = ""
    private var indentation = ""

    /// Writes one line at the current indentation; an empty call writes a blank line.
    func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += indentation + content + "\n"
        }
    }

    /// Writes `header`, the body indented one level, then `footer`.
    func block<E: Error>(_ header: String, footer: String = "}", _ body: () throws(E) -> Void) throws(E) {
        line(header)
        indentation += "    "
        try body()
        indentation.removeLast(4)
        line(footer)
    }

    /// Writes a `switch` whose `case` lines sit at the level of `switch`, as swift-format lays them out.
    func switchBlock(_ header: String, _ body: () -> Void) {
        line(header)
        body()
        line("}")
    }

    /// Writes proto comments as `///` documentation.
    func docComment(_ comment: String?) {
        guard let comment, !comment.isEmpty else { return }
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingSpaces().isEmpty == true { lines.removeLast() }
        for commentLine in lines {
            let trimmed = commentLine.hasPrefix(" ") ? String(commentLine.dropFirst()) : commentLine
            line(trimmed.trimmingSpaces().isEmpty ? "///" : "/// " + trimmed.trimmingTrailingSpaces())
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" })).trimmingTrailingSpaces()
    }

    func trimmingTrailingSpaces() -> String {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result.removeLast() }
        return result
    }

    /// A Swift string literal with the few escapes proto identifiers could need.
    var swiftLiteral: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
