extension OMSClient {
    /// The global event feed, `oms.v1.EventService`: every committed change,
    /// in order, resumable by sequence number.
    public struct Events: Sendable {
        let client: OMSClient

        /// Every event with a sequence greater than `sequence`: the stored
        /// history first, then live events as they commit, with no gap or
        /// duplicate. Integrations store the last sequence they processed and
        /// pass it here after a restart or a dropped connection.
        ///
        /// ```swift
        /// for try await event in client.events.watch(after: lastSeen) {
        ///     try handle(event)
        ///     lastSeen = event.sequence
        /// }
        /// ```
        ///
        /// The stream runs until the server stops or the task iterating it is
        /// cancelled (which cancels the call). It throws only ``OMSError``.
        ///
        /// - Parameters:
        ///   - sequence: the last sequence already processed; 0 for the whole history.
        ///   - typePrefixes: only events whose type starts with one of these
        ///     (`"product."`, `"order."`); empty for all.
        ///   - options: metadata for the call; a timeout would end the stream.
        public func watch(
            after sequence: UInt64 = 0, typePrefixes: [String] = [], options: CallOptions = CallOptions()
        ) -> AsyncThrowingStream<Oms_V1_Event, any Error> {
            var request = Oms_V1_WatchEventsRequest()
            request.afterSequence = sequence
            request.typePrefixes = typePrefixes
            return client.serverStream(Oms_V1_EventService.Method.watchEvents, request, options: options)
        }
    }

    /// Calls of `oms.v1.EventService`.
    public var events: Events { Events(client: self) }
}
