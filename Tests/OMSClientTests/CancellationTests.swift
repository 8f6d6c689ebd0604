import OMSClient
import Testing

@Suite("SDK cancellation")
struct CancellationTests {
    static let ping = "/oms.v1.AdminService/Ping"
    /// The longest ping omsd allows: the calls must still be running when the
    /// test cancels them, also when a loaded CI machine takes seconds to get
    /// all of them to omsd.
    static let delay = Duration.seconds(10)

    @Test("cancelling the task of a 10 s ping ends the call with CANCELLED, and omsd ends it too")
    func cancelOne() async throws {
        let calls = CallLog()
        try await withDaemonAndClient(logger: calls.logger()) { omsd, _ in
            try await withRelay(to: omsd) { relay, client in
                _ = try await client.admin.ping()  // the connection is open
                let task = Task { await outcome { try await client.admin.ping(delay: Self.delay) } }
                // Cancel only once omsd has the call, so it is the server that must drop it.
                #expect(await eventually { relay.counts.requestsForwarded == 2 })
                task.cancel()
                let result = await task.value
                #expect(result.failure?.code == .cancelled)
                // The client reset the stream and omsd ended the call as CANCELLED
                // (had it not seen the reset, it would have answered OK after 10 s).
                #expect(await eventually { relay.counts.resetsForwarded == 1 })
                #expect(await eventually { calls.count(method: Self.ping, status: "CANCELLED") == 1 })
                #expect(calls.statuses(method: Self.ping) == ["OK", "CANCELLED"])
            }
        }
    }

    @Test("200 cancelled 10 s pings: each ends CANCELLED on both sides, the next ping succeeds on the same connection")
    func cancelMany() async throws {
        let calls = CallLog()
        try await withDaemonAndClient(logger: calls.logger()) { omsd, _ in
            try await withRelay(to: omsd) { relay, client in
                _ = try await client.admin.ping()
                let tasks = (0..<200).map { _ in
                    Task { await outcome { try await client.admin.ping(delay: Self.delay) } }
                }
                #expect(await eventually { relay.counts.requestsForwarded == 201 })
                for task in tasks { task.cancel() }
                var codes: [OMSError.Code?] = []
                for task in tasks { codes.append(await task.value.failure?.code) }
                #expect(codes.filter { $0 == .cancelled }.count == 200)

                #expect(await eventually { relay.counts.resetsForwarded == 200 })
                #expect(await eventually { calls.count(method: Self.ping, status: "CANCELLED") == 200 })

                let after = try await client.admin.ping(payload: [42])
                #expect(after.payload == [42])
                #expect(relay.counts.connections == 1)
                #expect(calls.count(method: Self.ping, status: "OK") == 2)
            }
        }
    }
}
