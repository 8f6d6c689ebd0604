public import KeyValueStorage

/// The column families of the omsd database, one per kind of record
/// (DESIGN.md "Data and writes"). Opening the store creates missing ones.
public struct ColumnFamilies: Sendable {
    public static let names = [
        "orders", "order_lines", "order_index", "customers", "products", "stock", "stock_moves",
        "reservations", "timers", "events", "rollups", "idempotency", "auth", "audit", "meta",
    ]

    public let orders, orderLines, orderIndex, customers, products, stock, stockMoves: ColumnFamily
    public let reservations, timers, events, rollups, idempotency, auth, audit, meta: ColumnFamily

    init(_ store: any KeyValueStore) {
        orders = store.columnFamily("orders")
        orderLines = store.columnFamily("order_lines")
        orderIndex = store.columnFamily("order_index")
        customers = store.columnFamily("customers")
        products = store.columnFamily("products")
        stock = store.columnFamily("stock")
        stockMoves = store.columnFamily("stock_moves")
        reservations = store.columnFamily("reservations")
        timers = store.columnFamily("timers")
        events = store.columnFamily("events")
        rollups = store.columnFamily("rollups")
        idempotency = store.columnFamily("idempotency")
        auth = store.columnFamily("auth")
        audit = store.columnFamily("audit")
        meta = store.columnFamily("meta")
    }
}
