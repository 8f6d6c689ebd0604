public import OMSProto

/// The order state machine: explicit states and the events that move
/// between them. A value type with no I/O; commands ask it for the next
/// state and refuse illegal moves with FAILED_PRECONDITION naming the
/// current state.
///
///     pending_review ─approve→ pending_payment ─pay in full→ paid ─allocate→ allocated
///        └reject→ cancelled       │ (partial payment stays)      │
///     paid/allocated/partially_shipped ─ship→ partially_shipped | shipped ─deliver→ delivered ─complete→ completed
///     delivered/completed ─return→ returned ─refund→ refunded
///     pending_review/pending_payment/paid/allocated ─hold→ on_hold ─release→ (where it was)
///     any state before shipping ─cancel→ cancelled; unpaid ─payment deadline→ cancelled
///
/// While on hold, payments are still accepted: paid in full changes the
/// status the order resumes to (`heldFrom`) from pending_payment to paid.
public struct OrderLifecycle: Sendable, Hashable {
    public enum Event: Sendable, Hashable, CaseIterable {
        case approve, reject
        case payPartially, payInFull
        case allocate
        case shipPartially, shipFully
        case deliver, complete
        case hold, release
        case cancel
        /// The payment deadline passed with the order still unpaid.
        case expire
        case receiveReturn, refund

        var name: String {
            switch self {
            case .approve: "approve"
            case .reject: "reject"
            case .payPartially, .payInFull: "record a payment for"
            case .allocate: "allocate"
            case .shipPartially, .shipFully: "ship"
            case .deliver: "deliver"
            case .complete: "complete"
            case .hold: "hold"
            case .release: "release"
            case .cancel: "cancel"
            case .expire: "expire"
            case .receiveReturn: "return"
            case .refund: "refund"
            }
        }
    }

    public private(set) var status: Oms_V1_OrderStatus
    /// Where an on-hold order resumes; `.unspecified` when not on hold.
    public private(set) var heldFrom: Oms_V1_OrderStatus

    public init(status: Oms_V1_OrderStatus, heldFrom: Oms_V1_OrderStatus = .unspecified) {
        self.status = status
        self.heldFrom = status == .onHold ? heldFrom : .unspecified
    }

    /// A new order: pending payment, or on hold (resuming to pending payment)
    /// when automatic review raised flags, or pending review when it needs approval.
    public static func initial(flagged: Bool, needsApproval: Bool = false) -> OrderLifecycle {
        let start: Oms_V1_OrderStatus = needsApproval ? .pendingReview : .pendingPayment
        return flagged ? OrderLifecycle(status: .onHold, heldFrom: start) : OrderLifecycle(status: start)
    }

    /// True when the order can still become paid (deadline and payment rules).
    public var awaitsPayment: Bool {
        let effective = status == .onHold ? heldFrom : status
        return effective == .pendingPayment || effective == .pendingReview
    }

    /// Whether `event` is allowed now (without applying it).
    public func allows(_ event: Event) -> Bool {
        var copy = self
        return (try? copy.apply(event)) != nil
    }

    /// Applies `event`, or throws FAILED_PRECONDITION naming the current state.
    public mutating func apply(_ event: Event) throws(DomainError) {
        switch (event, status) {
        case (.approve, .pendingReview):
            status = .pendingPayment
        case (.reject, .pendingReview):
            status = .cancelled
        case (.payPartially, .pendingPayment):
            break
        case (.payInFull, .pendingPayment):
            status = .paid
        case (.payPartially, .onHold) where heldFrom == .pendingPayment:
            break
        case (.payInFull, .onHold) where heldFrom == .pendingPayment:
            heldFrom = .paid
        case (.allocate, .paid):
            status = .allocated
        case (.shipPartially, .paid), (.shipPartially, .allocated), (.shipPartially, .partiallyShipped):
            status = .partiallyShipped
        case (.shipFully, .paid), (.shipFully, .allocated), (.shipFully, .partiallyShipped):
            status = .shipped
        case (.deliver, .shipped):
            status = .delivered
        case (.complete, .delivered):
            status = .completed
        case (.hold, .pendingReview), (.hold, .pendingPayment), (.hold, .paid), (.hold, .allocated):
            heldFrom = status
            status = .onHold
        case (.release, .onHold):
            status = heldFrom
            heldFrom = .unspecified
        case (.cancel, .pendingReview), (.cancel, .pendingPayment), (.cancel, .paid), (.cancel, .allocated),
            (.cancel, .onHold):
            status = .cancelled
            heldFrom = .unspecified
        case (.expire, .pendingReview), (.expire, .pendingPayment):
            status = .cancelled
        case (.expire, .onHold) where heldFrom == .pendingPayment || heldFrom == .pendingReview:
            status = .cancelled
            heldFrom = .unspecified
        case (.receiveReturn, .delivered), (.receiveReturn, .completed):
            status = .returned
        case (.refund, .returned):
            status = .refunded
        default:
            throw DomainError(
                .failedPrecondition,
                "cannot \(event.name) an order that is \(Self.name(status))"
                    + (status == .onHold ? " (held from \(Self.name(heldFrom)))" : ""),
                reason: "ILLEGAL_TRANSITION")
        }
    }

    /// `PENDING_PAYMENT`, `SHIPPED`, ...: the API name of a status.
    public static func name(_ status: Oms_V1_OrderStatus) -> String {
        let full = status.protoName
        return full.hasPrefix("ORDER_STATUS_") ? String(full.dropFirst("ORDER_STATUS_".count)) : full
    }
}
