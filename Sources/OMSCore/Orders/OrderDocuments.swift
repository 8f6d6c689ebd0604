import KeyValueStorage
public import OMSProto

/// Invoice and shipping-label data, read from durable state.
extension Orders {
    public func invoice(_ request: Oms_V1_GetInvoiceRequest) throws -> Oms_V1_Invoice {
        let order = try order(id: request.orderID)
        guard !order.invoiceNumber.isEmpty else {
            throw DomainError(
                .failedPrecondition,
                "order \(order.id) is not invoiced: invoices are issued when an order is paid in full (it is \(OrderLifecycle.name(order.status)))",
                reason: "NOT_INVOICED")
        }
        var invoice = Oms_V1_Invoice()
        invoice.number = order.invoiceNumber
        invoice.orderID = order.id
        invoice.issuedAtMillis = order.paidAtMillis
        invoice.currencyCode = order.currencyCode
        invoice.customerID = order.customerID
        invoice.billTo = order.billingAddress ?? order.shippingAddress
        invoice.shipTo = order.shippingAddress
        invoice.lines = order.lines.map { line in
            Oms_V1_InvoiceLine.with {
                $0.sku = line.sku
                $0.description_p = line.productName
                $0.quantity = line.quantity
                $0.unitPriceMinor = line.unitPrice?.amountMinor ?? 0
                $0.discountMinor = line.discountMinor
                $0.netMinor = line.netMinor
                $0.taxRateBps = line.taxRateBps
                $0.taxMinor = line.taxMinor
            }
        }
        invoice.totals = order.totals
        return invoice
    }

    public func shippingLabel(_ request: Oms_V1_GetShippingLabelRequest) throws -> Oms_V1_ShippingLabel {
        let order = try order(id: request.orderID)
        guard OrderReview.isComplete(order.shippingAddress) else {
            throw DomainError(
                .failedPrecondition, "order \(order.id) has no complete shipping address", reason: "ADDRESS_MISSING")
        }
        var label = Oms_V1_ShippingLabel()
        label.orderID = order.id
        label.shipTo = order.shippingAddress
        // Which units go from which warehouse.
        var byWarehouse: [(String, [Oms_V1_ShipmentLine])] = []
        func add(_ warehouse: String, _ line: Oms_V1_ShipmentLine) {
            if let slot = byWarehouse.firstIndex(where: { $0.0 == warehouse }) {
                byWarehouse[slot].1.append(line)
            } else {
                byWarehouse.append((warehouse, [line]))
            }
        }
        if request.shipmentID.isEmpty {
            var prefix: [UInt8] = []
            KeyCodec.append(order.id, to: &prefix)
            for row in try store.engine.scan(store.families.reservations, prefix: prefix, limit: Int.max) {
                let record = try Oms_V1_ReservationRecord(serializedBytes: row.value)
                add(
                    record.warehouseCode,
                    .with {
                        $0.lineIndex = record.lineIndex
                        $0.quantity = record.quantity
                        $0.sku = record.sku
                    })
            }
            guard !byWarehouse.isEmpty else {
                throw DomainError(
                    .failedPrecondition, "order \(order.id) has nothing left to ship", reason: "NOTHING_TO_SHIP")
            }
        } else {
            guard let shipment = order.shipments.first(where: { $0.id == request.shipmentID }) else {
                throw DomainError(
                    .notFound, "order \(order.id) has no shipment \(request.shipmentID)", reason: "SHIPMENT_NOT_FOUND")
            }
            label.shipmentID = shipment.id
            label.carrier = shipment.carrier
            label.trackingNumber = shipment.trackingNumber
            for line in shipment.lines { add("", line) }
        }
        // Parcels in allocation order (the order the lines' reservations were made).
        let rank = order.lines.flatMap { $0.reservations.map(\.warehouseCode) }
        byWarehouse.sort { (rank.firstIndex(of: $0.0) ?? Int.max) < (rank.firstIndex(of: $1.0) ?? Int.max) }
        for (warehouse, lines) in byWarehouse {
            var parcel = Oms_V1_Parcel()
            parcel.warehouseCode = warehouse
            parcel.lines = lines
            for line in lines {
                let weight =
                    try store.engine.get(store.families.products, Array(line.sku.utf8)).map {
                        try Oms_V1_Product(serializedBytes: $0).weightGrams
                    } ?? 0
                parcel.weightGrams += weight * line.quantity
            }
            label.totalWeightGrams += parcel.weightGrams
            label.parcels.append(parcel)
        }
        return label
    }
}
