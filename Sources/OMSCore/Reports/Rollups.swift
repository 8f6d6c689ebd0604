import OMSProto
import Storage

/// Report aggregates in the `rollups` column family, maintained in the same
/// transaction as the change that causes them, so reports read aggregate
/// rows and never the orders or the ledger.
///
/// The two projection points: every order write (`Orders.commit`) and every
/// stock ledger row (`StockLedger.apply`) calls in here.
enum Rollups {
    /// An order was written: `previous` is the stored order before this
    /// change (nil when it is new).
    static func orderChanged(
        from previous: Oms_V1_Order?, to order: Oms_V1_Order, families: ColumnFamilies,
        transaction: inout WriteTransaction
    ) throws {}

    /// A stock ledger row was appended.
    static func stockMoved(_ move: Oms_V1_StockMove, families: ColumnFamilies, transaction: inout WriteTransaction)
        throws
    {}
}
