/// The sizes every order request is held to, checked before it is queued.
enum OrderLimits {
    static let maxLines = 500
    static let maxQuantity: Int64 = 1_000_000_000
    /// Notes, reasons, comments and tracking details.
    static let maxTextBytes = 4096
}
