import OMSCore
import OMSProto
import Testing

@Suite("OrderLifecycle")
struct OrderLifecycleTests {
    typealias Event = OrderLifecycle.Event
    typealias State = OrderLifecycle

    static let plainStates: [Oms_V1_OrderStatus] = [
        .pendingReview, .pendingPayment, .paid, .allocated, .partiallyShipped, .shipped, .delivered, .completed,
        .cancelled, .returned, .refunded,
    ]
    static let heldStates: [State] = [.pendingReview, .pendingPayment, .paid, .allocated].map {
        State(status: .onHold, heldFrom: $0)
    }

    /// Every legal transition: (from, event) → to. Everything else is refused.
    static let legal: [State: [Event: State]] = [
        State(status: .pendingReview): [
            .approve: State(status: .pendingPayment), .reject: State(status: .cancelled),
            .hold: State(status: .onHold, heldFrom: .pendingReview), .cancel: State(status: .cancelled),
            .expire: State(status: .cancelled),
        ],
        State(status: .pendingPayment): [
            .payPartially: State(status: .pendingPayment), .payInFull: State(status: .paid),
            .hold: State(status: .onHold, heldFrom: .pendingPayment), .cancel: State(status: .cancelled),
            .expire: State(status: .cancelled),
        ],
        State(status: .paid): [
            .allocate: State(status: .allocated), .shipPartially: State(status: .partiallyShipped),
            .shipFully: State(status: .shipped), .hold: State(status: .onHold, heldFrom: .paid),
            .cancel: State(status: .cancelled),
        ],
        State(status: .allocated): [
            .shipPartially: State(status: .partiallyShipped), .shipFully: State(status: .shipped),
            .hold: State(status: .onHold, heldFrom: .allocated), .cancel: State(status: .cancelled),
        ],
        State(status: .partiallyShipped): [
            .shipPartially: State(status: .partiallyShipped), .shipFully: State(status: .shipped),
        ],
        State(status: .shipped): [.deliver: State(status: .delivered)],
        State(status: .delivered): [.complete: State(status: .completed), .receiveReturn: State(status: .returned)],
        State(status: .completed): [.receiveReturn: State(status: .returned)],
        State(status: .cancelled): [:],
        State(status: .returned): [.refund: State(status: .refunded)],
        State(status: .refunded): [:],
        State(status: .onHold, heldFrom: .pendingReview): [
            .release: State(status: .pendingReview), .cancel: State(status: .cancelled),
            .expire: State(status: .cancelled),
        ],
        State(status: .onHold, heldFrom: .pendingPayment): [
            .release: State(status: .pendingPayment), .cancel: State(status: .cancelled),
            .expire: State(status: .cancelled), .payPartially: State(status: .onHold, heldFrom: .pendingPayment),
            .payInFull: State(status: .onHold, heldFrom: .paid),
        ],
        State(status: .onHold, heldFrom: .paid): [
            .release: State(status: .paid), .cancel: State(status: .cancelled),
        ],
        State(status: .onHold, heldFrom: .allocated): [
            .release: State(status: .allocated), .cancel: State(status: .cancelled),
        ],
    ]

    static var allStates: [State] { plainStates.map { State(status: $0) } + heldStates }

    @Test("every state × event pair: legal ones move as documented, the rest are refused naming the state")
    func everyTransition() {
        #expect(Self.allStates.count == 15)
        var legalCount = 0
        var refusedCount = 0
        for state in Self.allStates {
            let table = Self.legal[state]
            #expect(table != nil, "state \(state) missing from the table")
            for event in Event.allCases {
                var machine = state
                if let expected = table?[event] {
                    #expect(throws: Never.self, "\(state) \(event)") { try machine.apply(event) }
                    #expect(machine == expected, "\(state) --\(event)--> \(machine), expected \(expected)")
                    #expect(state.allows(event))
                    legalCount += 1
                } else {
                    do {
                        try machine.apply(event)
                        Issue.record("\(state) accepted \(event)")
                    } catch {
                        #expect(error.kind == .failedPrecondition)
                        #expect(error.reason == "ILLEGAL_TRANSITION")
                        #expect(error.message.contains(OrderLifecycle.name(state.status)), "\(error.message)")
                    }
                    #expect(machine == state, "a refused event must not change the state")
                    #expect(!state.allows(event))
                    refusedCount += 1
                }
            }
        }
        #expect(legalCount == 38)
        #expect(legalCount + refusedCount == 15 * Event.allCases.count)
    }

    @Test("initial state: pending payment, on hold when flagged, pending review when approval is needed")
    func initialStates() {
        #expect(OrderLifecycle.initial(flagged: false) == State(status: .pendingPayment))
        #expect(OrderLifecycle.initial(flagged: true) == State(status: .onHold, heldFrom: .pendingPayment))
        #expect(OrderLifecycle.initial(flagged: false, needsApproval: true) == State(status: .pendingReview))
        #expect(OrderLifecycle.initial(flagged: true).awaitsPayment)
        #expect(!State(status: .paid).awaitsPayment)
        #expect(!State(status: .onHold, heldFrom: .paid).awaitsPayment)
    }

    @Test(
        "a full walk: pending payment → paid → allocated → partially shipped → shipped → delivered → completed → returned → refunded"
    )
    func happyPath() throws {
        var machine = OrderLifecycle.initial(flagged: false)
        for event: Event in [
            .payPartially, .payInFull, .allocate, .shipPartially, .shipFully, .deliver, .complete, .receiveReturn,
            .refund,
        ] {
            try machine.apply(event)
        }
        #expect(machine.status == .refunded)
    }

    @Test("refusals name the current state, and the held-from state while on hold")
    func messages() {
        var shipped = State(status: .shipped)
        #expect(throws: DomainError.self) { try shipped.apply(.cancel) }
        do {
            try shipped.apply(.cancel)
        } catch {
            #expect(error.message == "cannot cancel an order that is SHIPPED")
        }
        var held = State(status: .onHold, heldFrom: .paid)
        do {
            try held.apply(.payInFull)
        } catch {
            #expect(error.message == "cannot record a payment for an order that is ON_HOLD (held from PAID)")
        }
    }
}
