import ArgumentParser
import Foundation
import OMSClient

struct StockAnalysisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Turnover, days of inventory, slow-moving and overstock per sku and warehouse.",
        discussion: """
            Over the last --days days (or --from/--to in Unix ms), in units. Turnover is
            shown ×1000 (permille); -1 days means no sales in the period. --only slow or
            --only overstock lists just those.

            EXAMPLES
              omsctl stock analysis --days 90
              omsctl stock analysis --days 30 --only overstock --overstock-days 60 -o csv
            """
    )

    @Option(help: "The period: the last n days.") var days: Int64?
    @Option(help: "Period start (Unix ms).") var from: Int64?
    @Option(help: "Period end (Unix ms, exclusive; default now).") var to: Int64 = 0
    @Option var sku: String = ""
    @Option var warehouse: String = ""
    @Option(name: .customLong("slow-moving-days")) var slowMovingDays: Int32 = 0
    @Option(name: .customLong("overstock-days")) var overstockDays: Int32 = 0
    @Option(help: "slow or overstock.") var only: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (days == nil) == (from == nil) { throw ValidationError("give either --days or --from") }
        if let only, only != "slow" && only != "overstock" { throw ValidationError("--only must be slow or overstock") }
    }

    func run() async throws {
        let start = from ?? Int64(Date().timeIntervalSince1970 * 1000) - days! * 86_400_000
        let analysis = try await global.withClient { client in
            try await client.inventory.stockAnalysis(
                fromMillis: start, toMillis: to, sku: sku, warehouse: warehouse, slowMovingDays: slowMovingDays,
                overstockDays: overstockDays)
        }
        let lines = only == "slow" ? analysis.slowMoving : only == "overstock" ? analysis.overstock : analysis.lines
        StockTables.print(
            header: [
                "sku", "warehouseCode", "openingOnHand", "closingOnHand", "sold", "turnoverPermille", "daysOfInventory",
                "coverDays", "slowMoving", "overstock",
            ],
            rows: lines.map {
                [
                    $0.sku, $0.warehouseCode, String($0.openingOnHand), String($0.closingOnHand), String($0.sold),
                    String($0.turnoverPermille), String($0.daysOfInventory), String($0.coverDays),
                    $0.slowMoving ? "yes" : "no", $0.overstock ? "yes" : "no",
                ]
            },
            numeric: ["openingOnHand", "closingOnHand", "sold", "turnoverPermille", "daysOfInventory", "coverDays"],
            format: global.output)
    }
}
