import ArgumentParser
import OMSClient

struct StockMovementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movements",
        abstract: "The stock ledger: every movement with its reason, actor, reference and resulting balance.",
        discussion: """
            Filters combine. Kinds: adjustment, reservation, release, shipment, return,
            receipt, transfer-out, transfer-in, scrap, stocktake. --from/--to are Unix
            milliseconds, [from, to). One page (--limit rows, default 50) unless --all.

            EXAMPLES
              omsctl stock movements --sku MUG-350 --warehouse MAIN
              omsctl stock movements --kind receipt --from 1767225600000 -o csv --all
            """
    )

    @Option var sku: String = ""
    @Option var warehouse: String = ""
    @Option var location: String = ""
    @Option(help: ArgumentHelp("Only this kind of movement.", valueName: "kind"))
    var kind: String?
    @Option(help: ArgumentHelp("From this time (Unix ms, inclusive).", valueName: "ms"))
    var from: Int64 = 0
    @Option(help: ArgumentHelp("Up to this time (Unix ms, exclusive).", valueName: "ms"))
    var to: Int64 = 0
    @Option(help: ArgumentHelp("Rows per page, 1-1000.", valueName: "n"))
    var limit: Int32 = 50
    @Option(name: .customLong("page-token"), help: ArgumentHelp("Continue after a previous page.", valueName: "token"))
    var pageToken: String?
    @Flag(help: "Fetch every page.")
    var all = false

    @OptionGroup var global: GlobalOptions

    static let kinds: [String: Oms_V1_StockMoveKind] = [
        "adjustment": .adjustment, "reservation": .reservation, "release": .release, "shipment": .shipment,
        "return": .return, "receipt": .receipt, "transfer-out": .transferOut, "transfer-in": .transferIn,
        "scrap": .scrap, "stocktake": .stocktake,
    ]

    func validate() throws {
        if let kind, Self.kinds[kind] == nil {
            throw ValidationError("--kind must be one of \(Self.kinds.keys.sorted().joined(separator: ", "))")
        }
        if !(1...1000).contains(limit) { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        let filter = OMSClient.Inventory.MovementFilter(
            sku: sku, warehouse: warehouse, location: location, kind: kind.flatMap { Self.kinds[$0] } ?? .unspecified,
            fromMillis: from, toMillis: to)
        let (moves, next) = try await global.withClient { client in
            var moves: [Oms_V1_StockMove] = []
            var token = pageToken
            repeat {
                let page = try await client.inventory.movements(filter, pageSize: limit, pageToken: token)
                moves += page.items
                token = page.nextPageToken
            } while all && token != nil
            return (moves, token)
        }
        let names = Dictionary(uniqueKeysWithValues: Self.kinds.map { ($0.value, $0.key) })
        StockTables.print(
            header: [
                "sequence", "atMillis", "kind", "sku", "warehouseCode", "locationCode", "onHandDelta", "reservedDelta",
                "onHandAfter", "valueDeltaMinor", "reason", "reference", "actor",
            ],
            rows: moves.map {
                [
                    String($0.sequence), String($0.atMillis), names[$0.kind] ?? "\($0.kind)", $0.sku, $0.warehouseCode,
                    $0.locationCode, String($0.onHandDelta), String($0.reservedDelta), String($0.onHandAfter),
                    String($0.valueDeltaMinor), $0.reason, $0.reference, $0.actor,
                ]
            },
            numeric: ["sequence", "atMillis", "onHandDelta", "reservedDelta", "onHandAfter", "valueDeltaMinor"],
            format: global.output)
        if let next { Console.error("more movements follow: add --page-token \(next), or use --all") }
    }
}
