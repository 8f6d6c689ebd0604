import ArgumentParser
import OMSClient

/// How orders, history entries and stock look in each output format.
enum OrdersPresentation {
    /// `pending_payment`, `on_hold`, ...
    static func statusText(_ status: Oms_V1_OrderStatus) -> String {
        status == .unspecified ? "-" : String(status.protoName.dropFirst("ORDER_STATUS_".count)).lowercased()
    }

    static func flagText(_ flag: Oms_V1_OrderFlag) -> String {
        String(flag.protoName.dropFirst("ORDER_FLAG_".count)).lowercased()
    }

    static func money(_ amountMinor: Int64, _ currency: String) -> String {
        "\(currency) \(MoneyText.decimal(amountMinor, currency: currency))"
    }

    static func table(_ orders: [Oms_V1_Order], width: Int) -> String {
        var table = TableFormatter(
            columns: [
                .init(title: "id"),
                .init(title: "status"),
                .init(title: "customer", shrinkable: true, minimumWidth: 8),
                .init(title: "channel", shrinkable: true, minimumWidth: 6),
                .init(title: "total", alignRight: true),
                .init(title: "paid", alignRight: true),
                .init(title: "created"),
            ], width: width)
        for order in orders {
            let totals = order.totals ?? Oms_V1_OrderTotals()
            table.append([
                order.id, statusText(order.status), order.customerID, order.channel,
                money(totals.totalMinor, order.currencyCode),
                MoneyText.decimal(totals.paidMinor, currency: order.currencyCode),
                TimeText.iso8601(millis: order.createdAtMillis),
            ])
        }
        return table.render()
    }

    static func details(_ order: Oms_V1_Order) -> String {
        let totals = order.totals ?? Oms_V1_OrderTotals()
        let currency = order.currencyCode
        var details = DetailFormatter()
        details.append("id", order.id)
        details.append(
            "status",
            statusText(order.status) + (order.status == .onHold ? " (resumes to \(statusText(order.heldFrom)))" : ""))
        if !order.flags.isEmpty { details.append("flags", order.flags.map(flagText).joined(separator: ", ")) }
        if !order.holdReasons.isEmpty { details.append("hold reasons", order.holdReasons.joined(separator: "\n")) }
        details.append("customer", order.customerID.isEmpty ? "-" : order.customerID)
        details.append("channel", order.channel)
        if !order.externalRef.isEmpty { details.append("external ref", order.externalRef) }
        let lines = order.lines.map { line -> String in
            let price = line.unitPrice.map { MoneyText.decimal($0.amountMinor, currency: currency) } ?? "-"
            let reservations = line.reservations.map {
                "\($0.quantity)@\($0.warehouseCode)\($0.released ? " (released)" : "")"
            }.joined(separator: ", ")
            return
                "\(line.quantity) × \(line.sku) at \(price) = \(MoneyText.decimal(line.netMinor, currency: currency))"
                + (reservations.isEmpty ? "" : "  [\(reservations)]")
        }
        details.append("lines", lines.joined(separator: "\n"))
        if let reason = order.lines.first?.reservations.first?.reason { details.append("allocation", reason) }
        details.append("subtotal", money(totals.subtotalMinor, currency))
        if totals.discountMinor != 0 { details.append("discount", money(totals.discountMinor, currency)) }
        if totals.shippingMinor != 0 { details.append("shipping", money(totals.shippingMinor, currency)) }
        if totals.taxMinor != 0 { details.append("tax", money(totals.taxMinor, currency)) }
        details.append("total", money(totals.totalMinor, currency))
        details.append("paid", money(totals.paidMinor, currency))
        if totals.cancellationFeeMinor != 0 {
            details.append("cancel fee", money(totals.cancellationFeeMinor, currency))
        }
        if totals.refundDueMinor != 0 { details.append("refund due", money(totals.refundDueMinor, currency)) }
        if totals.refundedMinor != 0 { details.append("refunded", money(totals.refundedMinor, currency)) }
        if !order.invoiceNumber.isEmpty { details.append("invoice", order.invoiceNumber) }
        for shipment in order.shipments {
            let lines = shipment.lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", ")
            let carrier = shipment.carrier.isEmpty ? "" : " via \(shipment.carrier) \(shipment.trackingNumber)"
            details.append("shipment", "\(shipment.id): \(lines)\(carrier)\(shipment.delivered ? " (delivered)" : "")")
        }
        if let address = order.shippingAddress {
            details.append(
                "ship to",
                [address.name, address.line1, address.line2, address.postalCode, address.city, address.countryCode]
                    .filter { !$0.isEmpty }.joined(separator: ", "))
        }
        if order.paymentDueAtMillis != 0 && order.paidAtMillis == 0 && order.cancelledAtMillis == 0 {
            details.append("payment due", TimeText.iso8601(millis: order.paymentDueAtMillis))
        }
        if !order.cancelReason.isEmpty { details.append("cancelled", order.cancelReason) }
        details.append("version", String(order.version))
        details.append("created", TimeText.iso8601(millis: order.createdAtMillis))
        details.append("updated", TimeText.iso8601(millis: order.updatedAtMillis))
        return details.render()
    }

    // MARK: JSON (proto3 JSON names)

    static func json(_ money: Oms_V1_Money?) -> JSONValue {
        guard let money else { return .null }
        return .object(["currencyCode": .string(money.currencyCode), "amountMinor": .int64(money.amountMinor)])
    }

    static func json(_ address: Oms_V1_Address?) -> JSONValue {
        guard let a = address else { return .null }
        return .object([
            "name": .string(a.name), "line1": .string(a.line1), "line2": .string(a.line2), "city": .string(a.city),
            "region": .string(a.region), "postalCode": .string(a.postalCode), "countryCode": .string(a.countryCode),
            "phone": .string(a.phone),
        ])
    }

    static func json(_ order: Oms_V1_Order) -> JSONValue {
        let t = order.totals ?? Oms_V1_OrderTotals()
        return .object([
            "id": .string(order.id),
            "status": .string(order.status.protoName),
            "version": .int64(order.version),
            "customerId": .string(order.customerID),
            "channel": .string(order.channel),
            "currencyCode": .string(order.currencyCode),
            "externalRef": .string(order.externalRef),
            "notes": .string(order.notes),
            "flags": .array(order.flags.map { .string($0.protoName) }),
            "holdReasons": .array(order.holdReasons.map { .string($0) }),
            "heldFrom": .string(order.heldFrom.protoName),
            "shippingAddress": json(order.shippingAddress),
            "lines": .array(
                order.lines.map { line in
                    .object([
                        "sku": .string(line.sku), "quantity": .int64(line.quantity),
                        "unitPrice": json(line.unitPrice), "discountMinor": .int64(line.discountMinor),
                        "taxRateBps": .int(Int64(line.taxRateBps)), "netMinor": .int64(line.netMinor),
                        "taxMinor": .int64(line.taxMinor), "priceSource": .string(line.priceSource),
                        "reservations": .array(
                            line.reservations.map {
                                .object([
                                    "warehouseCode": .string($0.warehouseCode), "quantity": .int64($0.quantity),
                                    "reason": .string($0.reason), "released": .bool($0.released),
                                ])
                            }),
                    ])
                }),
            "totals": .object([
                "subtotalMinor": .int64(t.subtotalMinor), "discountMinor": .int64(t.discountMinor),
                "shippingMinor": .int64(t.shippingMinor), "taxMinor": .int64(t.taxMinor),
                "totalMinor": .int64(t.totalMinor), "paidMinor": .int64(t.paidMinor),
                "cancellationFeeMinor": .int64(t.cancellationFeeMinor), "refundDueMinor": .int64(t.refundDueMinor),
                "refundedMinor": .int64(t.refundedMinor),
            ]),
            "payments": .array(
                order.payments.map {
                    .object([
                        "amount": json($0.amount), "reference": .string($0.reference), "atMillis": .int64($0.atMillis),
                    ])
                }),
            "createdAtMillis": .int64(order.createdAtMillis),
            "updatedAtMillis": .int64(order.updatedAtMillis),
            "paymentDueAtMillis": .int64(order.paymentDueAtMillis),
            "paidAtMillis": .int64(order.paidAtMillis),
            "cancelledAtMillis": .int64(order.cancelledAtMillis),
            "cancelReason": .string(order.cancelReason),
        ])
    }

    // MARK: CSV

    static let csvHeader = [
        "id", "status", "customerId", "channel", "currencyCode", "totalMinor", "paidMinor", "lines", "externalRef",
        "flags", "version", "createdAtMillis", "updatedAtMillis",
    ]

    static func csvRow(_ order: Oms_V1_Order) -> [String] {
        let totals = order.totals ?? Oms_V1_OrderTotals()
        return [
            order.id, order.status.protoName, order.customerID, order.channel, order.currencyCode,
            String(totals.totalMinor), String(totals.paidMinor),
            order.lines.map { "\($0.sku):\($0.quantity)" }.joined(separator: " "), order.externalRef,
            order.flags.map(\.protoName).joined(separator: " "), String(order.version),
            String(order.createdAtMillis), String(order.updatedAtMillis),
        ]
    }

    /// Prints orders in the chosen format.
    static func print(_ orders: [Oms_V1_Order], format: OutputFormat, single: Bool) {
        switch format {
        case .table:
            Console.out(single && orders.count == 1 ? details(orders[0]) : table(orders, width: Console.width))
        case .json:
            Console.out(JSONWriter.render(single && orders.count == 1 ? json(orders[0]) : .array(orders.map(json))))
        case .csv:
            var csv = CSVWriter(header: csvHeader)
            for order in orders { csv.appendRow(csvRow(order)) }
            Console.out(csv.text)
        }
    }

    // MARK: History

    static func printHistory(_ entries: [Oms_V1_OrderHistoryEntry], format: OutputFormat) {
        switch format {
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "version", alignRight: true), .init(title: "at"), .init(title: "actor"),
                    .init(title: "action"), .init(title: "status"),
                    .init(title: "detail", shrinkable: true, minimumWidth: 10),
                ], width: Console.width)
            for entry in entries {
                table.append([
                    String(entry.version), TimeText.iso8601(millis: entry.atMillis), entry.actor, entry.action,
                    "\(statusText(entry.fromStatus)) → \(statusText(entry.toStatus))", entry.detail,
                ])
            }
            Console.out(table.render())
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        entries.map {
                            .object([
                                "orderId": .string($0.orderID), "version": .int64($0.version),
                                "atMillis": .int64($0.atMillis), "actor": .string($0.actor),
                                "action": .string($0.action), "fromStatus": .string($0.fromStatus.protoName),
                                "toStatus": .string($0.toStatus.protoName), "detail": .string($0.detail),
                                "requestId": .string($0.requestID), "eventSequence": .uint64($0.eventSequence),
                            ])
                        })))
        case .csv:
            var csv = CSVWriter(header: [
                "orderId", "version", "atMillis", "actor", "action", "fromStatus", "toStatus", "detail",
            ])
            for entry in entries {
                csv.appendRow([
                    entry.orderID, String(entry.version), String(entry.atMillis), entry.actor, entry.action,
                    entry.fromStatus.protoName, entry.toStatus.protoName, entry.detail,
                ])
            }
            Console.out(csv.text)
        }
    }
}

/// `--status pending_payment|paid|...`.
enum OrderStatusArgument: String, CaseIterable, ExpressibleByArgument {
    case pendingReview = "pending_review"
    case pendingPayment = "pending_payment"
    case paid, allocated
    case partiallyShipped = "partially_shipped"
    case shipped, delivered, completed
    case onHold = "on_hold"
    case cancelled, returned, refunded

    var proto: Oms_V1_OrderStatus {
        Oms_V1_OrderStatus(protoName: "ORDER_STATUS_" + rawValue.uppercased()) ?? .unspecified
    }
}

/// `--flag incomplete|abnormal_amount|possible_duplicate`.
enum OrderFlagArgument: String, CaseIterable, ExpressibleByArgument {
    case incomplete
    case abnormalAmount = "abnormal_amount"
    case possibleDuplicate = "possible_duplicate"

    var proto: Oms_V1_OrderFlag {
        Oms_V1_OrderFlag(protoName: "ORDER_FLAG_" + rawValue.uppercased()) ?? .unspecified
    }
}
