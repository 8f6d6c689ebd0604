import OMSCore
import OMSProto
import Testing

@Suite("Inventory transfers and scrap with approval")
struct InventoryTransferTests {
    func setup(_ f: OrderFixture) async throws {
        try await f.product("SKU-A")
        try await f.product("SKU-B")
        try await f.warehouse("MAIN", priority: 1)
        try await f.warehouse("EAST", priority: 2)
        try await f.location("A-01", in: "MAIN")
        try await f.location("R-01", in: "EAST")
        let po = try await f.purchaseOrder([("SKU-A", 10, 100), ("SKU-B", 5, 40)])
        try await f.receive(po.id, [("SKU-A", 10, "A-01"), ("SKU-B", 5, "")])
    }

    @Test("request → approve by another → ship (in transit) → partial receive → close with a discrepancy")
    func transferLifecycle() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let transfer = try await f.requestTransfer(
                from: "MAIN", to: "EAST", [("SKU-A", 6, "A-01"), ("SKU-B", 2, "")])
            #expect(transfer.id.hasPrefix("trf_") && transfer.status == .requested && transfer.requestedBy == "alice")
            #expect(try f.stock("SKU-A", in: "EAST").incoming == 0)  // not before approval

            let own = await domainError { try await f.approveTransfer(transfer.id, actor: "alice") }
            #expect(own?.kind == .permissionDenied && own?.reason == "SELF_APPROVAL")
            let early = await domainError { try await f.shipTransfer(transfer.id) }
            #expect(early?.kind == .failedPrecondition && early?.reason == "TRANSFER_STATUS")

            let approved = try await f.approveTransfer(transfer.id)
            #expect(approved.status == .approved && approved.decidedBy == "bob")
            #expect(try f.stock("SKU-A", in: "EAST").incoming == 6)

            let shipped = try await f.shipTransfer(transfer.id)
            #expect(shipped.transfer!.status == .shipped)
            #expect(shipped.moves.map(\.kind) == [.transferOut, .transferOut])
            #expect(shipped.moves.map(\.locationCode) == ["A-01", ""])
            #expect(shipped.moves.map(\.reference) == ["transfer:\(transfer.id)", "transfer:\(transfer.id)"])
            let main = try f.stock("SKU-A", in: "MAIN")
            let east = try f.stock("SKU-A", in: "EAST")
            #expect(main.onHand == 4 && east.onHand == 0 && east.inTransit == 6 && east.incoming == 6)
            #expect(try f.stock("SKU-A").inTransit == 6)

            let tooMany = await domainError { try await f.receiveTransfer(transfer.id, [("SKU-A", 7, "R-01")]) }
            #expect(tooMany?.reason == "RECEIVED_MORE_THAN_SHIPPED" && fields(tooMany) == ["lines[0].quantity"])

            let partial = try await f.receiveTransfer(transfer.id, [("SKU-A", 5, "R-01"), ("SKU-B", 2, "")])
            #expect(partial.transfer!.status == .partiallyReceived)
            #expect(partial.moves.map(\.kind) == [.transferIn, .transferIn])
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/A-01": 4, "EAST/R-01": 5])
            let eastAfter = try f.stock("SKU-A", in: "EAST")
            #expect(eastAfter.onHand == 5 && eastAfter.inTransit == 1 && eastAfter.incoming == 1)

            let closed = try await f.receiveTransfer(transfer.id, [], complete: true)
            #expect(closed.transfer!.status == .received && closed.moves == [])
            #expect(
                closed.transfer!.discrepancies.map {
                    "\($0.sku) \($0.shippedQuantity)/\($0.receivedQuantity)/\($0.missingQuantity)"
                }
                    == ["SKU-A 6/5/1"])
            let final = try f.stock("SKU-A")
            #expect(final.onHand == 9 && final.inTransit == 0 && final.incoming == 0)
            let again = await domainError { try await f.receiveTransfer(transfer.id, [("SKU-A", 1, "")]) }
            #expect(again?.reason == "TRANSFER_STATUS")
        }
    }

    @Test("transfers are refused for unknown places, the same warehouse, too little stock or own rejection")
    func transferNegativeCases() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let same = await domainError {
                _ = try await f.requestTransfer(from: "MAIN", to: "MAIN", [("SKU-A", 1, "")])
            }
            #expect(same?.kind == .invalidArgument && fields(same) == ["transfer.to_warehouse_code"])
            let unknown = await domainError {
                _ = try await f.requestTransfer(from: "MAIN", to: "NOPE", [("SKU-A", 1, "")])
            }
            #expect(unknown?.reason == "WAREHOUSE_NOT_FOUND" && fields(unknown) == ["transfer.to_warehouse_code"])
            let negative = await domainError {
                _ = try await f.requestTransfer(from: "MAIN", to: "EAST", [("SKU-A", -2, "")])
            }
            #expect(fields(negative) == ["transfer.lines[0].quantity"])
            let location = await domainError {
                _ = try await f.requestTransfer(from: "MAIN", to: "EAST", [("SKU-A", 1, "Z-9")])
            }
            #expect(
                location?.reason == "LOCATION_NOT_FOUND" && fields(location) == ["transfer.lines[0].from_location_code"]
            )
            let much = await domainError {
                _ = try await f.requestTransfer(from: "MAIN", to: "EAST", [("SKU-A", 11, "")])
            }
            #expect(much?.reason == "INSUFFICIENT_STOCK" && fields(much) == ["transfer.lines[0].quantity"])

            // Approved, then the stock is sold meanwhile: shipping is refused, available stays >= 0.
            let transfer = try await f.requestTransfer(from: "MAIN", to: "EAST", [("SKU-A", 8, "")])
            try await f.approveTransfer(transfer.id)
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: -5)
            let ship = await domainError { try await f.shipTransfer(transfer.id) }
            #expect(ship?.reason == "STOCK_BELOW_ZERO")
            #expect(try f.stock("SKU-A", in: "MAIN").onHand == 5)

            let other = try await f.requestTransfer(from: "MAIN", to: "EAST", [("SKU-B", 1, "")])
            let selfReject = await domainError {
                _ = try await f.call {
                    try await f.inventory.rejectTransfer(
                        .with {
                            $0.id = other.id
                            $0.reason = "no"
                        }, actor: "alice")
                }
            }
            #expect(selfReject?.reason == "SELF_APPROVAL")
            let noReason = await domainError {
                _ = try await f.call {
                    try await f.inventory.rejectTransfer(.with { $0.id = other.id }, actor: "bob")
                }
            }
            #expect(fields(noReason) == ["reason"])
            let rejected = try await f.call {
                try await f.inventory.rejectTransfer(
                    .with {
                        $0.id = other.id
                        $0.reason = "not needed"
                    }, actor: "bob")
            }
            #expect(rejected.transfer!.status == .rejected && rejected.transfer!.rejectionReason == "not needed")
            #expect(try f.stock("SKU-B", in: "EAST").incoming == 0)
            let missing = await domainError { try await f.approveTransfer("trf_nope") }
            #expect(missing?.kind == .notFound && fields(missing) == ["id"])
        }
    }

    @Test("scrap: approval by another writes off 3 × 100 = 300 USD at average cost; rejection moves nothing")
    func scrapWithApproval() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let scrap = try await f.requestScrap(in: "MAIN", [("SKU-A", 3, "A-01")])
            #expect(scrap.id.hasPrefix("scr_") && scrap.status == .requested)
            #expect(try f.stock("SKU-A").onHand == 10)
            let own = await domainError {
                _ = try await f.call {
                    try await f.inventory.approveScrap(.with { $0.id = scrap.id }, actor: "alice")
                }
            }
            #expect(own?.kind == .permissionDenied && own?.reason == "SELF_APPROVAL")
            let approved = try await f.call {
                try await f.inventory.approveScrap(
                    .with {
                        $0.id = scrap.id
                        $0.requestID = "scr-ok"
                    }, actor: "bob")
            }
            #expect(approved.scrap!.status == .approved && approved.scrap!.decidedBy == "bob")
            #expect(approved.moves.map(\.kind) == [.scrap] && approved.moves[0].valueDeltaMinor == -300)
            #expect(approved.scrap!.lines[0].writtenOffMinor == 300)
            #expect(approved.scrap!.writtenOff.map(\.amountMinor) == [300])
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/A-01": 7])
            #expect(try f.valuation(sku: "SKU-A").totals[0].amountMinor == 700)
            let retry = try await f.call {
                try await f.inventory.approveScrap(
                    .with {
                        $0.id = scrap.id
                        $0.requestID = "scr-ok"
                    }, actor: "bob")
            }
            #expect(retry == approved)
            #expect(try f.stock("SKU-A").onHand == 7)
            let twice = await domainError {
                _ = try await f.call {
                    try await f.inventory.approveScrap(.with { $0.id = scrap.id }, actor: "bob")
                }
            }
            #expect(twice?.reason == "SCRAP_STATUS")

            let second = try await f.requestScrap(in: "MAIN", [("SKU-B", 1, "")], reason: .expired)
            let rejected = try await f.call {
                try await f.inventory.rejectScrap(
                    .with {
                        $0.id = second.id
                        $0.reason = "still sellable"
                    }, actor: "bob")
            }
            #expect(rejected.scrap!.status == .rejected && rejected.moves == [])
            #expect(try f.stock("SKU-B").onHand == 5)

            let much = await domainError { _ = try await f.requestScrap(in: "MAIN", [("SKU-A", 8, "A-01")]) }
            #expect(much?.reason == "INSUFFICIENT_STOCK" && fields(much) == ["scrap.lines[0].quantity"])
            let noReason = await domainError {
                _ = try await f.requestScrap(in: "MAIN", [("SKU-A", 1, "")], reason: .unspecified)
            }
            #expect(fields(noReason) == ["scrap.reason"])
            let unknown = await domainError { _ = try await f.requestScrap(in: "NOPE", [("SKU-A", 1, "")]) }
            #expect(fields(unknown) == ["scrap.warehouse_code"])
        }
    }
}
