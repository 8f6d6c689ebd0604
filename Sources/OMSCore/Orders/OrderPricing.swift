public import OMSProto

/// Line and order totals in integer minor units.
///
/// - line net = unit price × quantity − line discount (never negative)
/// - line tax = net × tax_rate_bps / 10 000, rounded half up, per line
/// - total = Σ net − order discount + shipping fee + Σ tax (never negative)
///
/// The order-level discount does not reduce tax (tax is computed per line).
public enum OrderPricing {
    public static func price(
        lines: inout [Oms_V1_OrderLine], discountMinor: Int64, shippingMinor: Int64
    ) throws(DomainError) -> Oms_V1_OrderTotals {
        var totals = Oms_V1_OrderTotals()
        for index in lines.indices {
            let unit = lines[index].unitPrice?.amountMinor ?? 0
            let (gross, overflow) = unit.multipliedReportingOverflow(by: lines[index].quantity)
            guard !overflow else {
                throw DomainError.invalid(field: "order.lines[\(index)]", "unit price × quantity is too large")
            }
            let net = gross - lines[index].discountMinor
            guard net >= 0 else {
                throw DomainError.invalid(
                    field: "order.lines[\(index)].discount_minor", "is larger than the line amount \(gross)")
            }
            lines[index].netMinor = net
            lines[index].taxMinor = CancellationQuote.roundedShare(net, basisPoints: Int64(lines[index].taxRateBps))
            let (subtotal, o1) = totals.subtotalMinor.addingReportingOverflow(net)
            let (tax, o2) = totals.taxMinor.addingReportingOverflow(lines[index].taxMinor)
            guard !o1, !o2 else { throw DomainError.invalid(field: "order.lines", "the order total is too large") }
            totals.subtotalMinor = subtotal
            totals.taxMinor = tax
        }
        totals.discountMinor = discountMinor
        totals.shippingMinor = shippingMinor
        let total = totals.subtotalMinor - discountMinor + shippingMinor + totals.taxMinor
        guard total >= 0 else {
            throw DomainError.invalid(field: "order.discount_minor", "is larger than the order amount")
        }
        totals.totalMinor = total
        return totals
    }
}
