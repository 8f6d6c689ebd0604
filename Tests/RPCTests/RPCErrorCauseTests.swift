import Logging
import OMSProto
import Synchronization
import TestSupport
import Testing

@testable import RPC

/// An infrastructure failure whose text must stay on the server.
private struct DiskFailure: Error {
    var device = "nvme0n1p3"
    var errno: Int32 = 28
}

@Suite("RPCError cause")
struct RPCErrorCauseTests {
    @Test("equality and hashing ignore the cause")
    func equality() {
        let plain = RPCError(.unavailable, "storage unavailable")
        let caused = RPCError(.unavailable, "storage unavailable", cause: DiskFailure())
        #expect(plain == caused)
        #expect(plain.hashValue == caused.hashValue)
        #expect(caused.cause is DiskFailure)
        #expect(!caused.description.contains("nvme0n1p3"))
    }

    @Test("status(for:path:) logs a cause once at error level with the path and the cause's full text")
    func logsCause() {
        let records = LogRecords()
        let shared = ServerShared(router: Router(), interceptors: [], config: .defaults, logger: records.logger)
        let error = RPCError(.unavailable, "storage unavailable", cause: DiskFailure())
        let status = shared.status(for: error, path: "/test.Echo/Unary")
        #expect(status == error)
        #expect(status.message == "storage unavailable")
        let entries = records.entries
        #expect(entries.count == 1)
        #expect(entries.first?.level == .error)
        #expect(entries.first?.metadata["path"] == "/test.Echo/Unary")
        #expect(entries.first?.metadata["cause"] == String(reflecting: DiskFailure()))
        #expect(entries.first?.metadata["cause"]?.contains("nvme0n1p3") == true)

        // Without a cause nothing is logged; other errors are logged as before.
        _ = shared.status(for: RPCError(.notFound, "no such order"), path: "/test.Echo/Unary")
        #expect(records.entries.count == 1)
        let other = shared.status(for: DiskFailure(), path: "/test.Echo/Unary")
        #expect(other.code == .internalError && other.message == "internal error")
        #expect(records.entries.count == 2)
    }

    @Test("the cause never reaches the client: not in grpc-message, not in the details")
    func notSent() async throws {
        let records = LogRecords()
        var router = Router()
        router.unary(Echo.fail) { _, _, responder in
            responder.fail(
                RPCError(
                    .unavailable, "storage unavailable", details: [.errorInfo(reason: "STORAGE", domain: "oms")],
                    cause: DiskFailure()))
        }
        let harness = try await ConformanceHarness(router: router, logger: records.logger)
        let id = try harness.request(
            ConformanceHarness.grpcHeaders(path: "/test.Echo/Fail"), body: ConformanceHarness.framed(Ping()))
        try await harness.pump()
        let fields = harness.recorder.fields(id)
        #expect(fields["grpc-status"] == "14")
        #expect(fields["grpc-message"] == "storage%20unavailable" || fields["grpc-message"] == "storage unavailable")
        let details = try #require(fields["grpc-status-details-bin"])
        let bytes = try #require(ProtoBase64.decode(details))
        let decoded = try #require(StatusDetailsCodec.decode(bytes))
        #expect(decoded.details == [.errorInfo(reason: "STORAGE", domain: "oms")])
        for (_, value) in fields { #expect(!value.contains("nvme0n1p3")) }
        let logged = records.entries.filter { $0.level == .error }
        #expect(logged.count == 1)
        #expect(logged.first?.metadata["path"] == "/test.Echo/Fail")
        #expect(logged.first?.metadata["cause"]?.contains("nvme0n1p3") == true)
    }
}
