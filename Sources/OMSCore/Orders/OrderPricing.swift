import KeyValueStorage
public import OMSProto

/// Line and order totals in integer minor units.
///
/// - line net = unit price × quantity − line discount (never negative)
/// - line tax = net × tax_rate_bps / 10 000, rounded half up, per line
/// - total = Σ net − order discount + shipping fee + Σ tax (never negative)
///
/// The order-level discount does not reduce tax (tax is computed per line).
/// A line without a unit price takes the catalog's (`priceLines`).
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

    /// The order lines with prices: the request's, else the catalog's.
    static func priceLines(
        _ requestedLines: [Oms_V1_OrderLine], currency: String, transaction: WriteTransaction, families: ColumnFamilies
    ) throws -> [Oms_V1_OrderLine] {
        var lines: [Oms_V1_OrderLine] = []
        for (index, requested) in requestedLines.enumerated() {
            var line = Oms_V1_OrderLine()
            line.sku = requested.sku
            line.quantity = requested.quantity
            line.discountMinor = requested.discountMinor
            line.taxRateBps = requested.taxRateBps
            let product = try transaction.get(families.products, Array(requested.sku.utf8)).map {
                try Oms_V1_Product(serializedBytes: $0)
            }
            line.productName = product?.name ?? ""
            let field = "order.lines[\(index)].sku"
            if let price = requested.unitPrice {
                line.unitPrice = price
                line.priceSource = "request"
            } else {
                guard let product, let price = product.unitPrice else {
                    throw DomainError(
                        .failedPrecondition,
                        "sku \(requested.sku) is not in the catalog and the line has no unit_price",
                        violations: [.init(field: field, description: "not in the catalog")],
                        reason: "PRODUCT_NOT_FOUND")
                }
                guard product.status != .discontinued else {
                    throw DomainError(
                        .failedPrecondition, "sku \(requested.sku) is discontinued",
                        violations: [.init(field: field, description: "discontinued")],
                        reason: "PRODUCT_DISCONTINUED")
                }
                guard price.currencyCode == currency else {
                    throw DomainError(
                        .failedPrecondition,
                        "sku \(requested.sku) is priced in \(price.currencyCode), the order is in \(currency); give the line a unit_price",
                        violations: [.init(field: field, description: "catalog price in another currency")],
                        reason: "CURRENCY_MISMATCH")
                }
                line.unitPrice = price
                line.priceSource = "catalog"
            }
            lines.append(line)
        }
        return lines
    }
}
