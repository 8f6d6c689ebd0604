/// The request bytes one server connection holds in memory for unary calls
/// whose message is incomplete or waits for END_STREAM, against
/// `RPCLimits.Config.bufferedRequestBytesPerConnection`.
///
/// Flow control does not bound these (unary data is acknowledged on
/// arrival), so without it many half-sent large requests could exhaust
/// memory. Each stream keeps its own share and gives it back when its request
/// is taken by the handler or the call ends.
struct RequestBytesBudget {
    let limit: Int
    /// The sum of every stream's share.
    private(set) var held = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Sets a stream's share to `count`; throws RESOURCE_EXHAUSTED when the
    /// connection then holds more than the limit (the share stays counted
    /// until the failing call gives it back).
    mutating func hold(_ count: Int, share: inout Int) throws(RPCError) {
        held += count - share
        share = count
        if held > limit {
            throw RPCError(
                .resourceExhausted,
                "too much incomplete request data on this connection (over \(limit) bytes); send large requests one after another"
            )
        }
    }

    mutating func release(share: inout Int) {
        held -= share
        share = 0
    }
}
