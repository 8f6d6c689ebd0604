import OMSCore
import OMSProto
import Testing

@Suite("Cancellation fees, pricing and warehouse allocation")
struct OrderRulesTests {
    static let hour: Int64 = 3_600_000
    static let placed: Int64 = 1_767_225_600_000

    @Test("free strictly inside the window, fee from the window's end on")
    func feeWindow() {
        let policy = OrderPolicy.defaults
        let free = CancellationQuote.quote(
            policy: policy, totalMinor: 10_000, placedAtMillis: Self.placed,
            nowMillis: Self.placed + 24 * Self.hour - 1,
            currency: "USD")
        #expect(free.feeMinor == 0)
        #expect(free.rule.hasPrefix("free"))
        let charged = CancellationQuote.quote(
            policy: policy, totalMinor: 10_000, placedAtMillis: Self.placed, nowMillis: Self.placed + 24 * Self.hour,
            currency: "USD")
        #expect(charged.feeMinor == 500)
        #expect(charged.rule.contains("5% of the total 10000"))
        #expect(charged.rule.contains("rounded half up"))
    }

    @Test("configurable window and fixed fees, capped at the total")
    func configurable() {
        var policy = OrderPolicy()
        policy.freeCancellationWindowMillis = 2 * Self.hour
        policy.cancellationFee = .fixed(amountMinor: 700)
        let quote = CancellationQuote.quote(
            policy: policy, totalMinor: 5_000, placedAtMillis: Self.placed, nowMillis: Self.placed + 3 * Self.hour,
            currency: "EUR")
        #expect(quote.feeMinor == 700)
        #expect(quote.rule.contains("fixed 700"))
        let capped = CancellationQuote.quote(
            policy: policy, totalMinor: 300, placedAtMillis: Self.placed, nowMillis: Self.placed + 3 * Self.hour,
            currency: "EUR")
        #expect(capped.feeMinor == 300)
        #expect(capped.rule.contains("capped"))
        let early = CancellationQuote.quote(
            policy: policy, totalMinor: 5_000, placedAtMillis: Self.placed, nowMillis: Self.placed + Self.hour,
            currency: "EUR")
        #expect(early.feeMinor == 0)
    }

    @Test(
        "percentage fees round half up in integer math",
        arguments: [
            (1010, 500, 51),  // 50.5 → 51
            (1009, 500, 50),  // 50.45 → 50
            (1, 5000, 1),  // 0.5 → 1
            (1, 4999, 0),  // 0.4999 → 0
            (0, 500, 0),
            (999, 333, 33),  // 33.2667 → 33
            (Int64.max, 10_000, Int64.max),  // no overflow in the intermediate product
        ] as [(Int64, Int64, Int64)])
    func rounding(total: Int64, basisPoints: Int64, expected: Int64) {
        #expect(CancellationQuote.roundedShare(total, basisPoints: basisPoints) == expected)
    }

    @Test("line tax rounds half up per line; totals add discounts, shipping and tax")
    func pricing() throws {
        var lines = [
            Oms_V1_OrderLine.with {
                $0.sku = "A"
                $0.quantity = 3
                $0.unitPrice = .with {
                    $0.currencyCode = "USD"
                    $0.amountMinor = 333
                }
                $0.discountMinor = 99
                $0.taxRateBps = 1900
            },
            Oms_V1_OrderLine.with {
                $0.sku = "B"
                $0.quantity = 1
                $0.unitPrice = .with {
                    $0.currencyCode = "USD"
                    $0.amountMinor = 5
                }
                $0.taxRateBps = 1000
            },
        ]
        let totals = try OrderPricing.price(lines: &lines, discountMinor: 100, shippingMinor: 495)
        #expect(lines[0].netMinor == 900)
        #expect(lines[0].taxMinor == 171)
        #expect(lines[1].netMinor == 5)
        #expect(lines[1].taxMinor == 1)  // 0.5 → 1
        #expect(totals.subtotalMinor == 905)
        #expect(totals.taxMinor == 172)
        #expect(totals.totalMinor == 905 - 100 + 495 + 172)
    }

    @Test("a line discount above the line amount and overflowing amounts are invalid")
    func pricingErrors() {
        var lines = [
            Oms_V1_OrderLine.with {
                $0.quantity = 1
                $0.unitPrice = .with { $0.amountMinor = 10 }
                $0.discountMinor = 11
            }
        ]
        #expect(throws: DomainError.self) { try OrderPricing.price(lines: &lines, discountMinor: 0, shippingMinor: 0) }
        var huge = [
            Oms_V1_OrderLine.with {
                $0.quantity = 1_000_000_000
                $0.unitPrice = .with { $0.amountMinor = Int64.max / 10 }
            }
        ]
        #expect(throws: DomainError.self) { try OrderPricing.price(lines: &huge, discountMinor: 0, shippingMinor: 0) }
    }

    static let warehouses = WarehouseAllocator(warehouses: [
        .init(code: "WEST", priority: 3), .init(code: "MAIN", priority: 1), .init(code: "EAST", priority: 2),
    ])

    @Test("one warehouse that fills everything wins, by priority")
    func singleWarehouse() throws {
        #expect(Self.warehouses.warehouses.map(\.code) == ["MAIN", "EAST", "WEST"])
        let pieces = try Self.warehouses.allocate(
            lines: [("A", 5), ("B", 2)],
            available: ["A": ["MAIN": 4, "EAST": 5, "WEST": 9], "B": ["MAIN": 9, "EAST": 2, "WEST": 9]])
        #expect(pieces.map(\.warehouse) == ["EAST", "EAST"])
        #expect(pieces.allSatisfy { $0.reason.hasPrefix("single warehouse: EAST (priority 2)") })
    }

    @Test("no single warehouse: each line splits by priority; repeated skus share the stock")
    func split() throws {
        let pieces = try Self.warehouses.allocate(
            lines: [("A", 5), ("A", 3), ("B", 1)],
            available: ["A": ["MAIN": 4, "EAST": 3, "WEST": 1], "B": ["WEST": 1]])
        #expect(
            pieces.map { "\($0.lineIndex):\($0.warehouse):\($0.quantity)" } == [
                "0:MAIN:4", "0:EAST:1", "1:EAST:2", "1:WEST:1", "2:WEST:1",
            ])
        #expect(pieces.allSatisfy { $0.reason.hasPrefix("split:") })
    }

    @Test("not enough stock anywhere names the sku")
    func insufficient() {
        do {
            _ = try Self.warehouses.allocate(
                lines: [("A", 1), ("B", 3)], available: ["A": ["MAIN": 1], "B": ["MAIN": 1, "EAST": 1]])
            Issue.record("allocated without stock")
        } catch {
            #expect(error.kind == .failedPrecondition)
            #expect(error.reason == "INSUFFICIENT_STOCK")
            #expect(error.message == "insufficient stock for sku B: requested 3, available 2")
        }
    }
}
