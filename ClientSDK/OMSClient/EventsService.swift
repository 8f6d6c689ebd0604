extension OMSClient {
    /// The global event feed, `oms.v1.EventService`: every committed change,
    /// in order, resumable by sequence number.
    public struct Events: Sendable {
        let client: OMSClient

        /// Every event with a sequence greater than `sequence`: the stored
        /// history first, then live events as they commit, with no gap or
        /// duplicate. Integrations store the last sequence they processed and
        /// pass it here after a restart of their own.
        ///
        /// ```swift
        /// for try await event in client.events.watch(after: lastSeen) {
        ///     try handle(event)
        ///     lastSeen = event.sequence
        /// }
        /// ```
        ///
        /// With `reconnect` (the default) the stream outlives omsd restarts
        /// and dropped connections: when the call fails with
        /// ``OMSError/Code/unavailable`` (omsd shutting down, or not reachable)
        /// it waits (the client's ``OMSClient/RetryPolicy`` backoff, growing to
        /// its longest wait) and calls again after the last sequence it
        /// delivered, for as long as the task iterates it. Other errors (an
        /// unknown or trimmed resume point, a revoked key) end it. Without
        /// `reconnect` the first failure ends it. Cancelling the task that
        /// iterates it cancels the call. It throws only ``OMSError``.
        ///
        /// - Parameters:
        ///   - sequence: the last sequence already processed; 0 for the whole history.
        ///   - typePrefixes: only events whose type starts with one of these
        ///     (`"product."`, `"order."`); empty for all.
        ///   - reconnect: call again after UNAVAILABLE instead of ending.
        ///   - options: metadata for the call; a timeout would end the stream.
        public func watch(
            after sequence: UInt64 = 0, typePrefixes: [String] = [], reconnect: Bool = true,
            options: CallOptions = CallOptions()
        ) -> AsyncThrowingStream<Oms_V1_Event, any Error> {
            let client = self.client
            let (stream, continuation) = AsyncThrowingStream<Oms_V1_Event, any Error>.makeStream()
            let task = Task {
                var request = Oms_V1_WatchEventsRequest()
                request.afterSequence = sequence
                request.typePrefixes = typePrefixes
                var failures = 0
                var generator = SystemRandomNumberGenerator()
                while true {
                    do {
                        for try await event in client.serverStream(
                            Oms_V1_EventService.Method.watchEvents, request, options: options)
                        {
                            continuation.yield(event)
                            request.afterSequence = event.sequence
                            failures = 0
                        }
                        return continuation.finish()
                    } catch let error as OMSError where reconnect && error.code == .unavailable && !Task.isCancelled {
                        failures += 1
                        let wait = client.options.retry.backoff(beforeRetry: failures, using: &generator)
                        do {
                            try await Task.sleep(for: wait)
                        } catch {
                            return continuation.finish(throwing: OMSError(code: .cancelled, message: "watch cancelled"))
                        }
                    } catch {
                        return continuation.finish(throwing: OMSError(error))
                    }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
            return stream
        }
    }

    /// Calls of `oms.v1.EventService`.
    public var events: Events { Events(client: self) }
}
