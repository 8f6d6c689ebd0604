import OMSClient
import OMSProto
import Testing

@Suite("SDK API keys")
struct ApiKeyTests {
    @Test("a service key calls business services but gets PERMISSION_DENIED from AdminService")
    func serviceRole() async throws {
        try await withDaemonAndClient { omsd, admin in
            let (key, token) = try await admin.admin.createApiKey(name: "erp-sync")
            #expect(key.name == "erp-sync")
            #expect(key.role == .service)
            #expect(key.createdBy == "admin")
            #expect(key.revokedAtMillis == 0)
            #expect(token.hasPrefix("oms_") && token.count == 68)
            #expect(key.tokenPrefix == String(token.prefix(8)))

            let erp = try OMSClient(address: omsd.address, token: token)
            defer { Task { await erp.close() } }
            let stored = try await erp.catalog.upsertProduct(product("KEY-1"))
            #expect(stored.product.version == 1)
            #expect(await omsError { _ = try await erp.admin.ping() }?.code == .permissionDenied)
            #expect(await omsError { _ = try await erp.admin.apiKeys() }?.code == .permissionDenied)
            // Repairs and bulk loads are admin-only too; the reports themselves are not.
            #expect(await omsError { _ = try await erp.reports.rebuildRollups() }?.code == .permissionDenied)
            #expect(
                await omsError { _ = try await erp.inventory.reconcileReservations() }?.code == .permissionDenied)
            _ = try await admin.reports.rebuildRollups()
        }
    }

    @Test("a revoked token is refused on its next call, also on a connection that already used it")
    func revokeTakesEffectAtOnce() async throws {
        try await withDaemonAndClient { omsd, admin in
            let (_, token) = try await admin.admin.createApiKey(name: "wms", role: .service)
            let wms = try OMSClient(address: omsd.address, token: token)
            defer { Task { await wms.close() } }
            _ = try await wms.catalog.upsertProduct(product("KEY-2"))  // cached as valid by the server

            let revoked = try await admin.admin.revokeApiKey(name: "wms")
            #expect(revoked.revokedAtMillis > 0)
            #expect(revoked.revokedBy == "admin")
            #expect(
                await omsError { _ = try await wms.catalog.upsertProduct(product("KEY-3")) }?.code == .unauthenticated)
            // The admin key, checked before, is still accepted after the revocation.
            _ = try await admin.admin.ping()
            let listed = try await admin.admin.apiKeys()
            #expect(listed.map(\.name) == ["admin", "wms"])
            #expect(listed.first { $0.name == "wms" }?.revokedAtMillis == revoked.revokedAtMillis)
        }
    }

    @Test("names are unique and validated; unknown, revoked and last-admin revocations are refused")
    func refusals() async throws {
        try await withDaemonAndClient { _, admin in
            _ = try await admin.admin.createApiKey(name: "twice")
            let duplicate = await omsError { _ = try await admin.admin.createApiKey(name: "twice", role: .admin) }
            #expect(duplicate?.code == .alreadyExists)
            #expect(duplicate?.fieldViolations.map(\.field) == ["name"])
            let invalid = await omsError { _ = try await admin.admin.createApiKey(name: "has space") }
            #expect(invalid?.code == .invalidArgument)
            #expect(invalid?.fieldViolations.map(\.field) == ["name"])
            #expect(await omsError { _ = try await admin.admin.revokeApiKey(name: "nobody") }?.code == .notFound)
            let lastAdmin = await omsError { _ = try await admin.admin.revokeApiKey(name: "admin") }
            #expect(lastAdmin?.code == .failedPrecondition)
            #expect(lastAdmin?.reason == "LAST_ADMIN_KEY")
            _ = try await admin.admin.revokeApiKey(name: "twice")
            #expect(
                await omsError { _ = try await admin.admin.revokeApiKey(name: "twice") }?.code == .failedPrecondition)
            // With a second admin key, the first one can go; the caller's own
            // key included (its next call is refused).
            _ = try await admin.admin.createApiKey(name: "ops", role: .admin)
            _ = try await admin.admin.revokeApiKey(name: "admin")
            #expect(await omsError { _ = try await admin.admin.ping() }?.code == .unauthenticated)
        }
    }
}
