import ArgumentParser
import OMSClient

struct StockReplenishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replenish",
        abstract: "Reorder policies, low stock, replenishment suggestions and POs from them.",
        discussion: """
            Position = available + incoming. Low: position < reorder point. A suggestion
            orders max(target - position, min order) where target = max(reorder point,
            ceil(sold in window × lead time / window) + safety stock), capped at max stock.

            EXAMPLES
              omsctl stock replenish policy MUG-350 --warehouse MAIN --reorder-point 20 \\
                  --safety-stock 5 --lead-time 7 --supplier ACME --unit-cost 420 --currency EUR
              omsctl stock replenish low
              omsctl stock replenish suggest --window 30 -o csv
              omsctl stock replenish order --warehouse MAIN
            """,
        subcommands: [
            StockReplenishPolicyCommand.self, StockReplenishLowCommand.self, StockReplenishSuggestCommand.self,
            StockReplenishOrderCommand.self,
        ]
    )

    static func print(_ suggestions: [Oms_V1_ReplenishmentSuggestion], format: OutputFormat) {
        StockTables.print(
            header: [
                "sku", "warehouseCode", "soldInWindow", "windowDays", "leadTimeDays", "demandDuringLeadTime",
                "safetyStock", "reorderPoint", "position", "target", "quantity", "supplier",
            ],
            rows: suggestions.map {
                [
                    $0.sku, $0.warehouseCode, String($0.soldInWindow), String($0.windowDays), String($0.leadTimeDays),
                    String($0.demandDuringLeadTime), String($0.safetyStock), String($0.reorderPoint),
                    String($0.position), String($0.target), String($0.quantity), $0.supplier,
                ]
            },
            numeric: [
                "soldInWindow", "windowDays", "leadTimeDays", "demandDuringLeadTime", "safetyStock", "reorderPoint",
                "position", "target", "quantity",
            ], format: format)
    }
}

struct StockReplenishPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy", abstract: "Set a reorder policy.")
    @Argument var sku: String
    @Option var warehouse: String
    @Option(name: .customLong("reorder-point")) var reorderPoint: Int64
    @Option(name: .customLong("safety-stock")) var safetyStock: Int64 = 0
    @Option(name: .customLong("lead-time"), help: "Lead time in days.") var leadTime: Int32 = 0
    @Option(name: .customLong("min-order")) var minOrder: Int64 = 0
    @Option(name: .customLong("max-stock")) var maxStock: Int64 = 0
    @Option var supplier: String
    @Option(name: .customLong("unit-cost"), help: "Minor units.") var unitCost: Int64
    @Option var currency: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var policy = Oms_V1_ReorderPolicy()
        policy.sku = sku
        policy.warehouseCode = warehouse
        policy.reorderPoint = reorderPoint
        policy.safetyStock = safetyStock
        policy.leadTimeDays = leadTime
        policy.minOrderQuantity = minOrder
        policy.maxStock = maxStock
        policy.supplier = supplier
        policy.unitCostMinor = unitCost
        policy.currencyCode = currency
        let saved = try await global.withClient { client in try await client.inventory.setReorderPolicy(policy) }
        StockTables.print(
            header: ["sku", "warehouseCode", "reorderPoint", "safetyStock", "leadTimeDays", "supplier"],
            rows: [
                [
                    saved.sku, saved.warehouseCode, String(saved.reorderPoint), String(saved.safetyStock),
                    String(saved.leadTimeDays), saved.supplier,
                ]
            ], numeric: ["reorderPoint", "safetyStock", "leadTimeDays"], format: global.output)
    }
}

struct StockReplenishLowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "low", abstract: "List low stock.")
    @Option var warehouse: String = ""
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let items = try await global.withClient { client in try await client.inventory.lowStock(warehouse: warehouse) }
        StockTables.print(
            header: ["sku", "warehouseCode", "available", "incoming", "position", "reorderPoint", "belowBy"],
            rows: items.map {
                [
                    $0.policy?.sku ?? "", $0.policy?.warehouseCode ?? "", String($0.available), String($0.incoming),
                    String($0.position), String($0.policy?.reorderPoint ?? 0), String($0.belowReorderPointBy),
                ]
            }, numeric: ["available", "incoming", "position", "reorderPoint", "belowBy"], format: global.output)
    }
}

struct StockReplenishSuggestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest", abstract: "Show replenishment suggestions with their inputs.")
    @Option var warehouse: String = ""
    @Option(help: "Sales window in days (default 30).") var window: Int32 = 0
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let suggestions = try await global.withClient { client in
            try await client.inventory.suggestReplenishment(warehouse: warehouse, windowDays: window)
        }
        StockReplenishCommand.print(suggestions, format: global.output)
    }
}

struct StockReplenishOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order", abstract: "Create purchase orders from the current suggestions.")
    @Option var warehouse: String = ""
    @Option(help: "Sales window in days (default 30).") var window: Int32 = 0
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let response = try await global.withClient { client in
            try await client.inventory.createPurchaseOrdersFromSuggestions(warehouse: warehouse, windowDays: window)
        }
        StockPurchaseOrdersCommand.print(response.purchaseOrders, format: global.output)
    }
}
