import ArgumentParser
import OMSClient

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow the global event feed.",
        discussion: """
            EXAMPLES
              omsctl events watch
              omsctl events watch --after 1200 --type product. -o json
            """,
        subcommands: [EventsWatchCommand.self]
    )
}

struct EventsWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print every event after a sequence number, then live events as they happen.",
        usage: "omsctl events watch [--after <seq>] [--type <prefix> ...] [--limit <n>] [--follow] [<options>]",
        discussion: """
            History comes first, then events as they commit, in sequence order, until
            Ctrl-C (or --limit events). Store the last sequence you processed and pass it
            as --after to resume exactly where you stopped. With -o json every event is
            one JSON object per line (JSON Lines); -o csv writes a header and one row per
            event.

            When omsd shuts down the watch fails (exit 3, UNAVAILABLE, with the sequence
            to resume after). With --follow it waits instead, reconnects when omsd is back
            and goes on after the last event it printed: no gap, no duplicate.

            EXAMPLES
              omsctl events watch --limit 20
              omsctl events watch --follow -o json >> events.jsonl
              omsctl events watch --after 1200 --type product. -o json | jq .resourceId
            """
    )

    @Option(help: ArgumentHelp("Start after this sequence number (0 = the whole history).", valueName: "seq"))
    var after: UInt64 = 0

    @Option(
        name: .customLong("type"),
        help: ArgumentHelp("Only event types starting with this prefix (repeatable).", valueName: "prefix"))
    var typePrefixes: [String] = []

    @Option(help: ArgumentHelp("Stop after this many events.", valueName: "n"))
    var limit: Int?

    @Flag(help: "Keep going across omsd restarts and dropped connections (reconnect and resume).")
    var follow = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let format = global.output
        let limit = self.limit
        let after = self.after
        let prefixes = typePrefixes
        let follow = self.follow
        if format == .csv {
            Console.out(CSVWriter(header: Self.columns).text)
        } else if format == .table {
            Console.out(Self.tableLine(["SEQ", "TIME", "TYPE", "RESOURCE", "ACTOR"]))
        }
        try await global.withClient { client in
            var count = 0
            for try await event in client.events.watch(after: after, typePrefixes: prefixes, reconnect: follow) {
                Console.out(Self.render(event, format: format))
                count += 1
                if let limit, count >= limit { break }
            }
        }
    }

    static let columns = ["sequence", "occurredAtMillis", "type", "resourceType", "resourceId", "actor", "requestId"]

    static func render(_ event: Oms_V1_Event, format: OutputFormat) -> String {
        switch format {
        case .table:
            return tableLine([
                String(event.sequence), TimeText.iso8601(millis: event.occurredAtMillis), event.type,
                "\(event.resourceType) \(event.resourceID)", event.actor,
            ])
        case .json:
            let object = JSONValue.object([
                "sequence": .uint64(event.sequence),
                "occurredAtMillis": .int64(event.occurredAtMillis),
                "type": .string(event.type),
                "resourceType": .string(event.resourceType),
                "resourceId": .string(event.resourceID),
                "actor": .string(event.actor),
                "requestId": .string(event.requestID),
            ])
            return JSONWriter.renderCompact(object) + "\n"
        case .csv:
            return [
                String(event.sequence), String(event.occurredAtMillis), event.type, event.resourceType,
                event.resourceID, event.actor, event.requestID,
            ].map(CSVWriter.field).joined(separator: ",") + "\r\n"
        }
    }

    /// Fixed-width columns so a live feed lines up without knowing what comes next.
    static func tableLine(_ cells: [String]) -> String {
        let widths = [7, 25, 22, 18, 8]
        var line = ""
        for (index, cell) in cells.enumerated() {
            let last = index == widths.count - 1
            let fitted = TerminalWidth.truncate(cell, to: last ? widths[index] : widths[index] - 1)
            line += last ? fitted : TerminalWidth.pad(fitted, to: widths[index], alignRight: false)
        }
        return line + "\n"
    }
}
