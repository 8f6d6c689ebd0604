import KeyValueStorage
import OMSProto

/// Report aggregates in the `rollups` column family, maintained in the same
/// transaction as the change that causes them, so reports read aggregate
/// rows and never the orders or the ledger.
///
/// The two projection points: every order write (`OrderRecord.write`) and every
/// stock ledger row (`StockLedger.apply`) calls in here. Layout: `RollupRow`;
/// what an order adds: `OrderContribution`.
enum Rollups {
    /// An order was written: `previous` is the stored order before this
    /// change (nil when it is new). Applies contribution(order) −
    /// contribution(previous): a change that moves no figure (a note, a
    /// tracking event in transit) touches no row.
    static func orderChanged(
        from previous: Oms_V1_Order?, to order: Oms_V1_Order, families: ColumnFamilies,
        transaction: inout WriteTransaction
    ) throws {
        var delta = OrderContribution.rows(of: order)
        if let previous {
            for (key, values) in OrderContribution.rows(of: previous) {
                delta.add(key, values, sign: -1)
            }
        }
        for (key, values) in delta where values.contains(where: { $0 != 0 }) {
            try apply(values, to: key, families: families, transaction: &transaction)
        }
    }

    /// A stock ledger row was appended: counts and deltas per slot ×
    /// warehouse × sku × kind. Extension point: when the ledger gains
    /// locations and values, value deltas join the row's metrics here.
    static func stockMoved(
        _ move: Oms_V1_StockMove, families: ColumnFamilies, transaction: inout WriteTransaction
    )
        throws
    {
        let (key, values) = OrderContribution.rows(of: move)
        try apply(values, to: key, families: families, transaction: &transaction)
    }

    /// Read-modify-write of one row; a row summing to all zeros is deleted so
    /// rebuilds and increments agree on which rows exist.
    static func apply(
        _ delta: [Int64], to key: [UInt8], families: ColumnFamilies, transaction: inout WriteTransaction
    ) throws {
        var values = try transaction.get(families.rollups, key).map(RollupRow.decode) ?? []
        RollupRow.add(&values, delta)
        if values.allSatisfy({ $0 == 0 }) {
            transaction.delete(families.rollups, key)
        } else {
            transaction.put(families.rollups, key, RollupRow.encode(values))
        }
    }
}
