import OMSClient
import OMSServer
import Testing

@Suite("SDK admin")
struct AdminTests {
    @Test("ping echoes the payload and reports the server's clock")
    func ping() async throws {
        try await withDaemonAndClient { _, client in
            let payload: [UInt8] = Array("hello, omsd".utf8) + [0, 255, 1]
            let result = try await client.admin.ping(payload: payload)
            #expect(result.payload == payload)
            #expect(result.serverTimeMillis > 0)
            let empty = try await client.admin.ping()
            #expect(empty.payload.isEmpty)
        }
    }

    @Test("serverInfo describes this daemon and counts its writes")
    func serverInfo() async throws {
        try await withDaemonAndClient { omsd, client in
            _ = try await client.catalog.upsertProduct(product("INFO-1"))
            _ = try await client.catalog.upsertProduct(product("INFO-2"))
            let info = try await client.admin.serverInfo()
            #expect(info.version == OMSDaemon.version)
            #expect(info.listenAddress == omsd.address)
            #expect(info.dataDir == omsd.dataDirectory)
            #expect(info.startedAtMillis > 0)
            #expect(info.uptimeMillis >= 0)
            #expect(info.writeCommands >= 2)
            #expect(info.writeGroups >= 1)
            #expect(info.writeGroups <= info.writeCommands)
        }
    }
}
