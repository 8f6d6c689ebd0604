import OMSClient

/// A failed call together with what omsctl knows about the connection, so
/// the message can say what to do about it.
struct CallFailure: Error {
    var error: OMSError
    var connection: GlobalOptions.Connection

    private static let tokenHelp = "pass --token, set OMS_TOKEN or --token-file var/data/admin.token"

    /// The exit code for the error's gRPC code (see ``ExitStatus``).
    var exitCode: Int32 {
        switch error.code {
        case .unavailable: ExitStatus.unavailable
        case .unauthenticated, .permissionDenied: ExitStatus.unauthenticated
        case .notFound: ExitStatus.notFound
        case .invalidArgument, .failedPrecondition, .alreadyExists, .aborted, .outOfRange: ExitStatus.rejected
        case .deadlineExceeded: ExitStatus.deadlineExceeded
        default: ExitStatus.otherError
        }
    }

    /// The lines printed on standard error: `error: ...` and what to do.
    var lines: [String] {
        let message = error.message.isEmpty ? error.code.name : error.message
        switch error.code {
        case .unauthenticated:
            if let source = connection.tokenSource {
                return ["error: the token was rejected (from \(source)): \(Self.tokenHelp)", "  omsd said: \(message)"]
            }
            return ["error: omsd needs a token: \(Self.tokenHelp)", "  omsd said: \(message)"]
        case .permissionDenied:
            return ["error: the token may not do this: \(message)"]
        case .unavailable where message.contains("TLS"):
            return [
                "error: cannot talk to omsd at \(connection.address): \(message)",
                "  TLS options: --tls (system CAs) or --ca-file FILE, --tls-server-name NAME; none for cleartext",
            ]
        case .unavailable:
            return [
                "error: cannot reach omsd at \(connection.address): is it running? (start it with `make run`)",
                "  \(message)",
            ]
        case .deadlineExceeded:
            let limit = connection.timeout.map { "\(Self.seconds($0)) s" } ?? "30 s"
            return ["error: omsd did not answer within \(limit): raise --timeout, or check that omsd is not overloaded"]
        case .invalidArgument where !error.fieldViolations.isEmpty:
            var lines = ["error: omsd rejected the request:"]
            for violation in error.fieldViolations {
                var line = "  \(violation.field): \(violation.description)"
                if let flag = Self.flag(forField: violation.field) { line += " (\(flag))" }
                lines.append(line)
            }
            return lines
        case .aborted:
            return [
                "error: \(message)",
                "  the record changed since you read it: get it again and retry with its current --expected-version",
            ]
        case .alreadyExists:
            var lines = ["error: \(message)"]
            if error.reason?.contains("REQUEST_ID") == true || message.lowercased().contains("request") {
                lines.append("  a --request-id can only be reused for the identical request")
            }
            return lines
        case .notFound, .invalidArgument, .failedPrecondition:
            return ["error: \(message)"] + preconditionLines
        default:
            return ["error: \(error.code.name): \(message)"]
        }
    }

    private var preconditionLines: [String] {
        error.preconditionViolations.map { "  \($0.subject): \($0.description)" }
    }

    /// The omsctl flag that sets a request field, so users know what to change.
    static func flag(forField field: String) -> String? {
        let key = field.lowercased().replacingAll("_", with: "")
        let flags: [(String, String)] = [
            ("product.sku", "--sku"), ("product.name", "--name"), ("product.description", "--description"),
            ("product.unitprice.currencycode", "--currency"), ("product.unitprice.amountminor", "--price"),
            ("product.unitprice", "--price/--currency"), ("product.status", "--status"),
            ("product.weightgrams", "--weight-grams"), ("product.attributes", "--attribute"),
            ("expectedversion", "--expected-version"), ("requestid", "--request-id"), ("pagesize", "--page-size"),
            ("pagetoken", "--page-token"), ("skuprefix", "--prefix"), ("delaymillis", "--delay-ms"),
            ("service", "--service"),
        ]
        for (prefix, flag) in flags where key == prefix || key.hasPrefix(prefix + ".") || key.hasPrefix(prefix + "[") {
            return flag
        }
        return nil
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        var text = MoneyText.decimal(millis, places: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
