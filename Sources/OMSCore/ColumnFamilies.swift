public import Storage

/// The column families of the omsd database, one per kind of record
/// (DESIGN.md "Data and writes"). Opening the store creates missing ones.
public struct ColumnFamilies: Sendable {
    public static let names = [
        "orders", "order_lines", "order_index", "customers", "products", "stock", "stock_moves",
        "reservations", "timers", "events", "rollups", "idempotency", "auth", "audit", "meta",
    ]

    public let orders, orderLines, orderIndex, customers, products, stock, stockMoves: ColumnFamily
    public let reservations, timers, events, rollups, idempotency, auth, audit, meta: ColumnFamily

    init(_ database: Database) {
        orders = database.columnFamily("orders")
        orderLines = database.columnFamily("order_lines")
        orderIndex = database.columnFamily("order_index")
        customers = database.columnFamily("customers")
        products = database.columnFamily("products")
        stock = database.columnFamily("stock")
        stockMoves = database.columnFamily("stock_moves")
        reservations = database.columnFamily("reservations")
        timers = database.columnFamily("timers")
        events = database.columnFamily("events")
        rollups = database.columnFamily("rollups")
        idempotency = database.columnFamily("idempotency")
        auth = database.columnFamily("auth")
        audit = database.columnFamily("audit")
        meta = database.columnFamily("meta")
    }
}
