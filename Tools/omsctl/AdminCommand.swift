import ArgumentParser
import OMSClient

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Check reachability, inspect the server and manage API keys (admin token).",
        discussion: """
            EXAMPLES
              omsctl admin ping
              omsctl admin info -o json
              omsctl admin keys create erp-sync
            """,
        subcommands: [AdminPingCommand.self, AdminInfoCommand.self, AdminKeysCommand.self]
    )
}

struct AdminPingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Round-trip a call through omsd and show how long it took.",
        usage: "omsctl admin ping [--delay-ms <ms>] [--payload <text>] [<options>]",
        discussion: """
            Checks the address, the token and (with --delay-ms) deadline handling in one
            call: the server waits --delay-ms before answering, so --delay-ms 2000
            --timeout 1 must fail with exit code 7.

            EXAMPLES
              omsctl admin ping
              omsctl admin ping --delay-ms 250 --payload hello -o json
            """
    )

    @Option(name: .customLong("delay-ms"), help: ArgumentHelp("Server-side delay, 0-10000 ms.", valueName: "ms"))
    var delayMillis: Int = 0

    @Option(help: ArgumentHelp("Text the server echoes back.", valueName: "text"))
    var payload: String = ""

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (0...10_000).contains(delayMillis) else { throw ValidationError("--delay-ms must be from 0 to 10000") }
    }

    func run() async throws {
        let (result, address) = try await global.withClient { client in
            (
                try await client.admin.ping(delay: .milliseconds(delayMillis), payload: Array(payload.utf8)),
                client.address
            )
        }
        let (seconds, attoseconds) = result.roundTrip.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let millisText = MoneyText.decimal(micros, places: 3)
        let echoed = String(decoding: result.payload, as: UTF8.self)
        switch global.output {
        case .table:
            let serverTime = TimeText.iso8601(millis: result.serverTimeMillis)
            var line = "pong from \(address) in \(millisText) ms (server time \(serverTime))"
            if !payload.isEmpty { line += ", payload \(echoed == payload ? "echoed" : "CHANGED: \(echoed)")" }
            Console.out(line + "\n")
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "address": .string(address.description),
                        "roundTripMillis": .number(millisText),
                        "serverTimeMillis": .int64(result.serverTimeMillis),
                        "payload": .string(ProtoBase64.encode(result.payload, padded: true)),
                    ])))
        case .csv:
            var csv = CSVWriter(header: ["address", "roundTripMillis", "serverTimeMillis", "payload"])
            csv.appendRow([address.description, millisText, String(result.serverTimeMillis), echoed])
            Console.out(csv.text)
        }
    }
}

struct AdminInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the server's version, uptime, data directory, write statistics and memory.",
        usage: "omsctl admin info [<options>]",
        discussion: """
            Write statistics count group commits since start: each group is one durable
            RocksDB write holding one or more commands. Memory splits the resident set into
            RocksDB's block cache, memtables and table readers, and the malloc heap (in use,
            held from the OS, and returned to it by the periodic trim).

            EXAMPLES
              omsctl admin info
              omsctl admin info -o json | jq .uptimeMillis
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let info = try await global.withClient { client in
            try await client.admin.serverInfo()
        }
        switch global.output {
        case .table:
            var details = DetailFormatter()
            details.append("version", info.version)
            details.append("listen address", info.listenAddress)
            details.append("data dir", info.dataDir)
            details.append("started", TimeText.iso8601(millis: info.startedAtMillis))
            details.append("uptime", TimeText.duration(millis: info.uptimeMillis))
            details.append("write groups", String(info.writeGroups))
            details.append("write commands", String(info.writeCommands))
            details.append("max group size", String(info.maxGroupSize))
            if info.writeGroups > 0 {
                let hundredths = Int64(info.writeCommands * 100 / info.writeGroups)
                details.append("avg group size", MoneyText.decimal(hundredths, places: 2))
            }
            if let memory = info.memory {
                details.append("resident memory", Self.mebibytes(memory.residentBytes))
                details.append(
                    "block cache",
                    "\(Self.mebibytes(memory.blockCacheBytes)) of \(Self.mebibytes(memory.blockCacheCapacityBytes))"
                        + " (\(Self.mebibytes(memory.blockCachePinnedBytes)) pinned)")
                details.append("memtables", Self.mebibytes(memory.memtableBytes))
                details.append("table readers", Self.mebibytes(memory.tableReaderBytes))
                details.append(
                    "heap",
                    "\(Self.mebibytes(memory.heapInUseBytes)) in use of \(Self.mebibytes(memory.heapHeldBytes)) held")
                details.append("heap returned to the OS", Self.mebibytes(memory.heapReleasedBytes))
            }
            if let cache = info.stockReplyCache {
                let calls = cache.hits + cache.misses
                let rate =
                    calls == 0 ? "" : " (\(MoneyText.decimal(Int64(cache.hits * 10_000 / calls), places: 2)) % hits)"
                details.append("stock reply cache", "\(cache.hits) hits, \(cache.misses) misses\(rate)")
                details.append(
                    "stock replies kept",
                    "\(cache.entries) (\(Self.mebibytes(cache.bytes)) of \(Self.mebibytes(cache.capacityBytes)), \(cache.evictions) evicted)"
                )
            }
            Console.out(details.render())
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "version": .string(info.version),
                        "startedAtMillis": .int64(info.startedAtMillis),
                        "uptimeMillis": .int64(info.uptimeMillis),
                        "dataDir": .string(info.dataDir),
                        "listenAddress": .string(info.listenAddress),
                        "writeGroups": .uint64(info.writeGroups),
                        "writeCommands": .uint64(info.writeCommands),
                        "maxGroupSize": .uint64(info.maxGroupSize),
                        "memory": .object([
                            "residentBytes": .uint64(info.memory?.residentBytes ?? 0),
                            "blockCacheBytes": .uint64(info.memory?.blockCacheBytes ?? 0),
                            "blockCacheCapacityBytes": .uint64(info.memory?.blockCacheCapacityBytes ?? 0),
                            "blockCachePinnedBytes": .uint64(info.memory?.blockCachePinnedBytes ?? 0),
                            "memtableBytes": .uint64(info.memory?.memtableBytes ?? 0),
                            "tableReaderBytes": .uint64(info.memory?.tableReaderBytes ?? 0),
                            "heapInUseBytes": .uint64(info.memory?.heapInUseBytes ?? 0),
                            "heapHeldBytes": .uint64(info.memory?.heapHeldBytes ?? 0),
                            "heapReleasedBytes": .uint64(info.memory?.heapReleasedBytes ?? 0),
                        ]),
                        "stockReplyCache": .object([
                            "hits": .uint64(info.stockReplyCache?.hits ?? 0),
                            "misses": .uint64(info.stockReplyCache?.misses ?? 0),
                            "evictions": .uint64(info.stockReplyCache?.evictions ?? 0),
                            "entries": .uint64(info.stockReplyCache?.entries ?? 0),
                            "bytes": .uint64(info.stockReplyCache?.bytes ?? 0),
                            "capacityBytes": .uint64(info.stockReplyCache?.capacityBytes ?? 0),
                        ]),
                    ])))
        case .csv:
            var csv = CSVWriter(header: [
                "version", "startedAtMillis", "uptimeMillis", "dataDir", "listenAddress", "writeGroups",
                "writeCommands", "maxGroupSize",
            ])
            csv.appendRow([
                info.version, String(info.startedAtMillis), String(info.uptimeMillis), info.dataDir,
                info.listenAddress, String(info.writeGroups), String(info.writeCommands), String(info.maxGroupSize),
            ])
            Console.out(csv.text)
        }
    }

    /// `12.3 MiB`.
    static func mebibytes(_ bytes: UInt64) -> String {
        MoneyText.decimal(Int64(clamping: bytes * 10 / (1 << 20)), places: 1) + " MiB"
    }
}
