import KeyValueStorage
public import OMSProto

// Purchase orders and their receipts. An open order's outstanding
// quantities count as `incoming` of its warehouse; a receipt puts stock
// away (at a location or unassigned) with a RECEIPT ledger row at the
// line's unit cost, which updates the moving-average cost.
//
// Over-receipt rule: a line may receive at most
// `quantity + floor(quantity × over_receipt_tolerance_percent / 100)` in
// total; a receipt that would exceed it is refused as a whole.

/// `CreatePurchaseOrder`: an open purchase order, numbered `po_…`, whose
/// lines count as incoming of its warehouse.
public struct CreatePurchaseOrder: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.createPurchaseOrder
    static let maxLines = 1000

    public init() {}

    public func validate(_ request: Oms_V1_CreatePurchaseOrderRequest, into validator: inout Validator) {
        guard let order = request.purchaseOrder else {
            return validator.check(false, "purchase_order", "is required")
        }
        validator.check(!order.supplier.isEmpty, "purchase_order.supplier", "must not be empty")
        validator.check(order.supplier.utf8.count <= 200, "purchase_order.supplier", "must be at most 200 bytes")
        validator.checkCode(order.warehouseCode, "purchase_order.warehouse_code")
        validator.check(
            MoneyRules.isCurrencyCode(order.currencyCode), "purchase_order.currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(order.currencyCode)'")
        validator.check(order.expectedAtMillis >= 0, "purchase_order.expected_at_millis", "must not be negative")
        validator.check(
            order.overReceiptTolerancePercent <= 100, "purchase_order.over_receipt_tolerance_percent",
            "must be at most 100")
        validator.check(!order.lines.isEmpty, "purchase_order.lines", "must have at least one line")
        validator.check(
            order.lines.count <= Self.maxLines, "purchase_order.lines", "must have at most \(Self.maxLines) lines")
        var seen: Set<String> = []
        for (index, line) in order.lines.enumerated() {
            let field = "purchase_order.lines[\(index)]"
            validator.checkSKU(line.sku, "\(field).sku")
            validator.check(seen.insert(line.sku).inserted, "\(field).sku", "appears on more than one line")
            validator.check(line.quantity > 0, "\(field).quantity", "must be positive")
            validator.check(line.quantity <= 1_000_000_000, "\(field).quantity", "must be at most 1000000000")
            validator.check(line.unitCostMinor >= 0, "\(field).unit_cost_minor", "must not be negative")
            validator.check(
                line.unitCostMinor <= 1_000_000_000_000, "\(field).unit_cost_minor", "must be at most 10^12")
            validator.check(line.receivedQuantity == 0, "\(field).received_quantity", "is output only")
        }
    }

    public func apply(
        _ request: Oms_V1_CreatePurchaseOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreatePurchaseOrderResponse {
        var response = Oms_V1_CreatePurchaseOrderResponse()
        response.purchaseOrder = try Self.insert(request.purchaseOrder!, in: &context)
        return response
    }

    /// Checks `input` against current state, numbers, stores and counts it
    /// as incoming, and records its event. Used by CreatePurchaseOrder and
    /// by CreatePurchaseOrdersFromSuggestions.
    static func insert(_ input: Oms_V1_PurchaseOrder, in context: inout CommandContext) throws -> Oms_V1_PurchaseOrder {
        let families = context.families
        var order = input
        try Inventory.requireWarehouse(
            context.transaction, families: families, order.warehouseCode, field: "purchase_order.warehouse_code")
        for (index, line) in order.lines.enumerated() {
            let field = "purchase_order.lines[\(index)].sku"
            guard try context.transaction.get(families.products, Array(line.sku.utf8)) != nil else {
                throw DomainError(
                    .failedPrecondition, "product \(line.sku) does not exist",
                    violations: [.init(field: field, description: "unknown sku")], reason: "PRODUCT_NOT_FOUND")
            }
            if let cost = try StockLedger.skuCost(context.transaction, families: families, sku: line.sku),
                !cost.currencyCode.isEmpty, cost.currencyCode != order.currencyCode
            {
                throw DomainError(
                    .failedPrecondition, "\(line.sku) is valued in \(cost.currencyCode), not \(order.currencyCode)",
                    violations: [
                        .init(field: "purchase_order.currency_code", description: "must be \(cost.currencyCode)")
                    ], reason: "CURRENCY_MISMATCH")
            }
        }
        let now = context.nowMillis
        let number = try MetaCounter.next(
            "purchase_order_id_sequence", transaction: &context.transaction, families: families)
        order.id = SortableID.make(prefix: "po_", millis: now, sequence: number)
        order.status = .open
        order.version = 1
        order.receipts = []
        order.createdBy = context.actor
        order.createdAtMillis = now
        order.updatedAtMillis = now
        for line in order.lines {
            try StockLedger.addExpected(
                &context.transaction, families: families, sku: line.sku, warehouse: order.warehouseCode,
                incoming: line.quantity)
        }
        context.transaction.put(families.stock, StockLedger.purchaseOrderKey(order.id), order.serializedBytes())
        try context.record("purchase_order.created", resource: "purchase_order", id: order.id, payload: nil)
        return order
    }
}

/// `ReceivePurchaseOrder`: one receipt of some of a purchase order's lines
/// (over-receipt refused as a whole); the order becomes PARTIALLY_RECEIVED
/// or RECEIVED.
public struct ReceivePurchaseOrder: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.receivePurchaseOrder

    public init() {}

    public func validate(_ request: Oms_V1_ReceivePurchaseOrderRequest, into validator: inout Validator) {
        validator.check(!request.id.isEmpty, "id", "must not be empty")
        validator.check(!request.lines.isEmpty, "lines", "must have at least one line")
        validator.check(request.lines.count <= CreatePurchaseOrder.maxLines, "lines", "must have at most 1000 lines")
        for (index, line) in request.lines.enumerated() {
            validator.checkSKU(line.sku, "lines[\(index)].sku")
            validator.check(line.quantity > 0, "lines[\(index)].quantity", "must be positive")
            validator.check(line.quantity <= 1_000_000_000, "lines[\(index)].quantity", "must be at most 1000000000")
            if !line.locationCode.isEmpty {
                validator.checkCode(line.locationCode, "lines[\(index)].location_code")
            }
        }
    }

    public func apply(
        _ request: Oms_V1_ReceivePurchaseOrderRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ReceivePurchaseOrderResponse {
        let families = context.families
        guard let bytes = try context.transaction.get(families.stock, StockLedger.purchaseOrderKey(request.id)) else {
            throw DomainError(
                .notFound, "purchase order \(request.id) not found",
                violations: [.init(field: "id", description: "unknown purchase order")],
                reason: "PURCHASE_ORDER_NOT_FOUND")
        }
        var order = try Oms_V1_PurchaseOrder(serializedBytes: bytes)
        var moves: [Oms_V1_StockMove] = []
        let receiptNumber = UInt32(order.receipts.count + 1)
        for (index, line) in request.lines.enumerated() {
            guard let slot = order.lines.firstIndex(where: { $0.sku == line.sku }) else {
                throw DomainError(
                    .failedPrecondition, "\(line.sku) is not on purchase order \(order.id)",
                    violations: [.init(field: "lines[\(index)].sku", description: "not on the purchase order")],
                    reason: "SKU_NOT_ON_PURCHASE_ORDER")
            }
            let ordered = order.lines[slot].quantity
            let limit = ordered + ordered * Int64(order.overReceiptTolerancePercent) / 100
            let before = order.lines[slot].receivedQuantity
            guard before + line.quantity <= limit else {
                throw DomainError(
                    .failedPrecondition,
                    "over-receipt of \(line.sku) on \(order.id): ordered \(ordered), received \(before), this receipt \(line.quantity), allowed at most \(limit) in total (tolerance \(order.overReceiptTolerancePercent)%)",
                    violations: [
                        .init(
                            field: "lines[\(index)].quantity",
                            description: "at most \(limit - before) may be received")
                    ], reason: "OVER_RECEIPT")
            }
            try StockLedger.requireLocation(
                context.transaction, families: families, warehouse: order.warehouseCode, code: line.locationCode,
                field: "lines[\(index)].location_code")
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: line.sku, warehouse: order.warehouseCode,
                location: line.locationCode, kind: .receipt, onHandDelta: line.quantity, reservedDelta: 0,
                reason: "receipt \(receiptNumber) of \(order.id) from \(order.supplier)",
                requestID: request.requestID, reference: "po:\(order.id)",
                receiptCost: .init(
                    unitCostMinor: order.lines[slot].unitCostMinor, currencyCode: order.currencyCode),
                actor: context.actor)
            moves += result.moves
            // Incoming falls by what was outstanding; an over-receipt adds nothing more.
            let outstanding = max(0, ordered - before)
            try StockLedger.addExpected(
                &context.transaction, families: families, sku: line.sku, warehouse: order.warehouseCode,
                incoming: -min(outstanding, line.quantity))
            order.lines[slot].receivedQuantity = before + line.quantity
        }
        let now = context.nowMillis
        var receipt = Oms_V1_PurchaseOrderReceipt()
        receipt.number = receiptNumber
        receipt.receivedAtMillis = now
        receipt.actor = context.actor
        receipt.lines = request.lines
        order.receipts.append(receipt)
        order.status =
            order.lines.allSatisfy { $0.receivedQuantity >= $0.quantity } ? .received : .partiallyReceived
        order.version += 1
        order.updatedAtMillis = now
        context.transaction.put(families.stock, StockLedger.purchaseOrderKey(order.id), order.serializedBytes())
        try context.record("purchase_order.received", resource: "purchase_order", id: order.id, payload: nil)
        var response = Oms_V1_ReceivePurchaseOrderResponse()
        response.purchaseOrder = order
        response.moves = moves
        return response
    }
}

extension Inventory {
    public func purchaseOrder(id: String) throws -> Oms_V1_PurchaseOrder {
        guard !id.isEmpty else { throw DomainError.invalid(field: "id", "must not be empty") }
        guard let bytes = try store.engine.get(store.families.stock, StockLedger.purchaseOrderKey(id)) else {
            throw DomainError(
                .notFound, "purchase order \(id) not found",
                violations: [.init(field: "id", description: "unknown purchase order")],
                reason: "PURCHASE_ORDER_NOT_FOUND")
        }
        return try Oms_V1_PurchaseOrder(serializedBytes: bytes)
    }

    /// Purchase orders oldest first (ids sort by creation time), optionally one status.
    public func purchaseOrders(
        _ request: Oms_V1_ListPurchaseOrdersRequest
    ) throws
        -> Oms_V1_ListPurchaseOrdersResponse
    {
        if case .UNRECOGNIZED(let value) = request.status {
            throw DomainError.invalid(field: "status", "unknown purchase order status \(value)")
        }
        let pageSize = try PageToken.pageSize(request.pageSize)
        let snapshot = try store.engine.readView()
        let prefix = [StockLedger.purchaseOrderTag]
        let page = try FilteredPage(
            view: snapshot, family: store.families.stock, from: prefix,
            to: KeyCodec.prefixUpperBound(prefix), pageToken: request.pageToken, pageSize: pageSize
        ) { _, value -> Oms_V1_PurchaseOrder? in
            let order = try Oms_V1_PurchaseOrder(serializedBytes: value)
            return request.status == .unspecified || order.status == request.status ? order : nil
        }
        var response = Oms_V1_ListPurchaseOrdersResponse()
        response.purchaseOrders = page.rows
        response.nextPageToken = page.nextPageToken
        return response
    }
}
