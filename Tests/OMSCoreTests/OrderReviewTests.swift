import OMSCore
import OMSProto
import Testing

@Suite("Automatic review and manual approval")
struct OrderReviewTests {
    func approve(_ f: OrderFixture, _ id: String, as actor: String, requestID: String = "") async throws -> Oms_V1_Order
    {
        let response = try await f.orders.approve(
            .with {
                $0.id = id
                $0.requestID = requestID
            }, actor: actor)
        try f.expectConsistent()
        return response.order!
    }

    @Test(
        "same customer, same lines within the window: POSSIBLE_DUPLICATE, on hold; outside it or with an external_ref: not"
    )
    func duplicates() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let first = try await f.create([("SKU-A", 1), ("SKU-B", 2)])
            #expect(first.flags.isEmpty)
            let twin = try await f.create([("SKU-B", 2), ("SKU-A", 1)])
            #expect(twin.flags == [.possibleDuplicate])
            #expect(twin.status == .onHold)
            #expect(twin.holdReasons.first?.contains(first.id) == true)
            let different = try await f.create([("SKU-A", 2)])
            #expect(different.flags.isEmpty)
            let withRef = try await f.create([("SKU-A", 2)], externalRef: "ERP-7")
            #expect(withRef.flags.isEmpty)
            f.clock.advance(millis: 10 * 60_000)
            let later = try await f.create([("SKU-A", 1), ("SKU-B", 2)])
            #expect(later.flags.isEmpty)
            let queue = try f.orders.list(.with { $0.flag = .possibleDuplicate })
            #expect(queue.orders.map(\.id) == [twin.id])
        }
    }

    @Test(
        "the twin may be older than the customer's last order; a cancelled twin does not count; customers are separate"
    )
    func duplicatesBehindTheLastOrder() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let first = try await f.create([("SKU-A", 1)])
            f.clock.advance(millis: 1000)
            let other = try await f.create([("SKU-B", 1)])
            #expect(other.flags.isEmpty)
            f.clock.advance(millis: 1000)
            // The last order (`other`) differs: the review must still find `first`.
            let twin = try await f.create([("SKU-A", 1)])
            #expect(twin.flags == [.possibleDuplicate])
            #expect(twin.holdReasons.first?.contains(first.id) == true)
            // Another customer with the same lines is no duplicate.
            let elsewhere = try await f.create([("SKU-A", 1)], customer: "C2")
            #expect(elsewhere.flags.isEmpty)
            // Cancelled orders are no twins, whether last or not.
            _ = try await f.cancel(twin.id)
            _ = try await f.cancel(first.id)
            let again = try await f.create([("SKU-A", 1)])
            #expect(again.flags.isEmpty)
            // The last order is the twin: found by its id.
            let last = try await f.create([("SKU-A", 1)])
            #expect(last.flags == [.possibleDuplicate])
            #expect(last.holdReasons.first?.contains(again.id) == true)
            try f.expectConsistent()
        }
    }

    @Test("ABNORMAL_AMOUNT: an absolute threshold, and a multiple of the customer's average order")
    func abnormalAmount() async throws {
        var policy = OrderPolicy()
        policy.abnormalAmountMinor = 5_000
        policy.abnormalMultipleOfAverage = 3
        policy.duplicateWindowMillis = 0
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup(mainA: 100, mainB: 100)
            for _ in 0..<3 { _ = try await f.create([("SKU-B", 2)]) }  // 500 each: average 500
            let normal = try await f.create([("SKU-B", 6)])  // 1500 = 3× average: fine
            #expect(normal.flags.isEmpty)
            let unusual = try await f.create([("SKU-A", 3)])  // 3000 > 3 × 750 (average of 500, 500, 500, 1500)
            #expect(unusual.flags == [.abnormalAmount])
            #expect(unusual.status == .onHold)
            #expect(unusual.holdReasons.first?.contains("average") == true)
            let big = try await f.create([("SKU-A", 5)], customer: "NEW")  // 5000: the absolute threshold
            #expect(big.flags == [.abnormalAmount])
            #expect(big.holdReasons.first?.contains("threshold") == true)
        }
    }

    @Test("orders above the thresholds need 1 or 2 approvals by different users")
    func approvals() async throws {
        var policy = OrderPolicy()
        policy.approvalTiers = [.init(minTotalMinor: 5_000, approvals: 1), .init(minTotalMinor: 20_000, approvals: 2)]
        policy.duplicateWindowMillis = 0
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup(mainA: 100)
            let small = try await f.create([("SKU-A", 4)])
            #expect(small.status == .pendingPayment)
            #expect(small.approvalsRequired == 0)

            let one = try await f.create([("SKU-A", 5)])
            #expect(one.status == .pendingReview)
            #expect(one.approvalsRequired == 1)
            let payFirst = await domainError { _ = try await f.pay(one.id, 100) }
            #expect(payFirst?.kind == .failedPrecondition)
            #expect(payFirst?.message.contains("PENDING_REVIEW") == true)
            let approved = try await approve(f, one.id, as: "alice")
            #expect(approved.status == .pendingPayment)
            #expect(approved.approvals.map(\.actor) == ["alice"])

            let two = try await f.create([("SKU-A", 20)])
            #expect(two.approvalsRequired == 2)
            let afterFirst = try await approve(f, two.id, as: "alice", requestID: "ap-1")
            #expect(afterFirst.status == .pendingReview)
            // A retry of the same approval replays it instead of failing as a second approval.
            #expect(try await approve(f, two.id, as: "alice", requestID: "ap-1") == afterFirst)
            let same = await domainError { _ = try await approve(f, two.id, as: "alice") }
            #expect(same?.reason == "ALREADY_APPROVED")
            let afterSecond = try await approve(f, two.id, as: "bob")
            #expect(afterSecond.status == .pendingPayment)
            let tooLate = await domainError { _ = try await approve(f, two.id, as: "carol") }
            #expect(tooLate?.kind == .failedPrecondition)
            #expect(tooLate?.message.contains("PENDING_PAYMENT") == true)
            let history = try f.orders.history(.with { $0.id = two.id })
            #expect(history.entries.map(\.action) == ["created", "approved", "approved"])
        }
    }

    @Test("RejectOrder cancels an order under review or on hold and releases its stock")
    func reject() async throws {
        var policy = OrderPolicy()
        policy.approvalTiers = [.init(minTotalMinor: 5_000, approvals: 1)]
        try await withOrderFixture(policy: policy) { f in
            try await f.standardSetup(mainA: 100)
            let review = try await f.create([("SKU-A", 5)])
            let rejected = try await f.orders.reject(
                .with {
                    $0.id = review.id
                    $0.reason = "fraud suspected"
                }, actor: "alice")
            #expect(rejected.order?.status == .cancelled)
            #expect(rejected.order?.cancelReason == "rejected: fraud suspected")
            try f.expectConsistent()
            let held = try await f.create([("SKU-A", 1)], customer: "UNKNOWN", withAddress: false)
            _ = try await f.orders.reject(
                .with {
                    $0.id = held.id
                    $0.reason = "no address"
                }, actor: "alice")
            #expect(try f.stock("SKU-A").reserved == 0)
            let open = try await f.create([("SKU-A", 1)])
            let refused = await domainError {
                _ = try await f.orders.reject(
                    .with {
                        $0.id = open.id
                        $0.reason = "x"
                    }, actor: "a")
            }
            #expect(refused?.kind == .failedPrecondition)
            let noReason = await domainError { _ = try await f.orders.reject(.with { $0.id = open.id }, actor: "a") }
            #expect(noReason?.kind == .invalidArgument)
        }
    }

    @Test("approving an order on hold releases the hold and clears its flags")
    func approveReleasesHold() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let held = try await f.create([("SKU-A", 1)], customer: "UNKNOWN", withAddress: false)
            #expect(held.status == .onHold)
            let released = try await approve(f, held.id, as: "alice")
            #expect(released.status == .pendingPayment)
            #expect(released.flags.isEmpty)
            #expect(try f.orders.list(.with { $0.flag = .incomplete }).orders.isEmpty)
            let paid = try await f.pay(held.id, 1000)
            #expect(paid.order?.status == .paid)
        }
    }
}
