import OMSCore
import OMSProto
import Testing

/// Inventory helpers on the shared fixture. Every command helper checks the
/// stock invariants afterwards (on hand == sum of the ledger per sku ×
/// warehouse × location, warehouse level == sum of its locations, reserved
/// == open reservations), so each test proves them after every step.
extension OrderFixture {
    @discardableResult
    func location(
        _ code: String, in warehouse: String, zone: String = "A", requestID: String = ""
    ) async throws
        -> Oms_V1_Location
    {
        let response = try await inventory.createLocation(
            .with {
                $0.requestID = requestID
                $0.location = .with {
                    $0.warehouseCode = warehouse
                    $0.code = code
                    $0.zone = zone
                    $0.aisle = "01"
                    $0.bin = code
                }
            }, actor: "test")
        try expectConsistent()
        return response.location!
    }

    @discardableResult
    func adjust(
        _ sku: String, in warehouse: String, at location: String, by delta: Int64, reason: String = "count",
        reference: String = "", actor: String = "test", requestID: String = ""
    ) async throws -> Oms_V1_AdjustStockResponse {
        let response = try await inventory.adjustStock(
            .with {
                $0.requestID = requestID
                $0.sku = sku
                $0.warehouseCode = warehouse
                $0.locationCode = location
                $0.delta = delta
                $0.reason = reason
                $0.reference = reference
            }, actor: actor)
        try expectConsistent()
        return response
    }

    func purchaseOrder(
        _ lines: [(sku: String, quantity: Int64, cost: Int64)], warehouse: String = "MAIN", currency: String = "USD",
        tolerancePercent: UInt32 = 0, requestID: String = ""
    ) async throws -> Oms_V1_PurchaseOrder {
        let response = try await inventory.createPurchaseOrder(
            .with {
                $0.requestID = requestID
                $0.purchaseOrder = .with {
                    $0.supplier = "ACME Supplies"
                    $0.warehouseCode = warehouse
                    $0.currencyCode = currency
                    $0.overReceiptTolerancePercent = tolerancePercent
                    $0.expectedAtMillis = 1_767_312_000_000
                    $0.lines = lines.map { line in
                        .with {
                            $0.sku = line.sku
                            $0.quantity = line.quantity
                            $0.unitCostMinor = line.cost
                        }
                    }
                }
            }, actor: "buyer")
        try expectConsistent()
        return response.purchaseOrder!
    }

    @discardableResult
    func receive(
        _ id: String, _ lines: [(sku: String, quantity: Int64, location: String)], requestID: String = ""
    ) async throws -> Oms_V1_ReceivePurchaseOrderResponse {
        let response = try await inventory.receivePurchaseOrder(
            .with {
                $0.requestID = requestID
                $0.id = id
                $0.lines = lines.map { line in
                    .with {
                        $0.sku = line.sku
                        $0.quantity = line.quantity
                        $0.locationCode = line.location
                    }
                }
            }, actor: "receiver")
        try expectConsistent()
        return response
    }

    func movements(_ configure: (inout Oms_V1_ListMovementsRequest) -> Void = { _ in }) throws -> [Oms_V1_StockMove] {
        var request = Oms_V1_ListMovementsRequest()
        configure(&request)
        return try inventory.movements(request).moves
    }

    func valuation(sku: String = "", warehouse: String = "", asOf: Int64 = 0) throws -> Oms_V1_GetValuationResponse {
        try inventory.valuation(
            .with {
                $0.sku = sku
                $0.warehouseCode = warehouse
                $0.asOfMillis = asOf
            })
    }

    /// Location on-hand of `sku`, keyed "WAREHOUSE/LOCATION" ("MAIN/" = unassigned).
    func onHandByLocation(_ sku: String) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for row in try inventory.listStock(
            .with {
                $0.sku = sku
                $0.pageSize = 1000
            }
        ).rows {
            result["\(row.warehouseCode)/\(row.locationCode)"] = row.onHand
        }
        return result
    }
}

/// The field names of a DomainError's violations.
func fields(_ error: DomainError?) -> [String] {
    error?.violations.map(\.field) ?? []
}

/// Transfer and scrap helpers: each awaits the command and checks the
/// invariants afterwards.
extension OrderFixture {
    func call<Response: Sendable>(_ body: () async throws -> Response) async throws -> Response {
        let response = try await body()
        try expectConsistent()
        return response
    }

    func requestTransfer(
        from: String, to: String, _ lines: [(sku: String, quantity: Int64, location: String)], actor: String = "alice",
        requestID: String = ""
    ) async throws -> Oms_V1_Transfer {
        let request = Oms_V1_RequestTransferRequest.with {
            $0.requestID = requestID
            $0.transfer = .with {
                $0.fromWarehouseCode = from
                $0.toWarehouseCode = to
                $0.lines = lines.map { line in
                    .with {
                        $0.sku = line.sku
                        $0.quantity = line.quantity
                        $0.fromLocationCode = line.location
                    }
                }
            }
        }
        return try await call { try await inventory.requestTransfer(request, actor: actor) }.transfer!
    }

    @discardableResult
    func approveTransfer(_ id: String, actor: String = "bob") async throws -> Oms_V1_Transfer {
        try await call { try await inventory.approveTransfer(.with { $0.id = id }, actor: actor) }.transfer!
    }

    @discardableResult
    func shipTransfer(_ id: String, actor: String = "wms") async throws -> Oms_V1_TransferResponse {
        try await call { try await inventory.shipTransfer(.with { $0.id = id }, actor: actor) }
    }

    @discardableResult
    func receiveTransfer(
        _ id: String, _ lines: [(sku: String, quantity: Int64, location: String)], complete: Bool = false,
        requestID: String = ""
    ) async throws -> Oms_V1_TransferResponse {
        let request = Oms_V1_ReceiveTransferRequest.with {
            $0.requestID = requestID
            $0.id = id
            $0.complete = complete
            $0.lines = lines.map { line in
                .with {
                    $0.sku = line.sku
                    $0.quantity = line.quantity
                    $0.locationCode = line.location
                }
            }
        }
        return try await call { try await inventory.receiveTransfer(request, actor: "wms") }
    }

    func requestScrap(
        in warehouse: String, _ lines: [(sku: String, quantity: Int64, location: String)],
        reason: Oms_V1_ScrapReason = .damaged, actor: String = "alice"
    ) async throws -> Oms_V1_Scrap {
        let request = Oms_V1_RequestScrapRequest.with {
            $0.scrap = .with {
                $0.warehouseCode = warehouse
                $0.reason = reason
                $0.note = "forklift"
                $0.lines = lines.map { line in
                    .with {
                        $0.sku = line.sku
                        $0.quantity = line.quantity
                        $0.locationCode = line.location
                    }
                }
            }
        }
        return try await call { try await inventory.requestScrap(request, actor: actor) }.scrap!
    }
}
