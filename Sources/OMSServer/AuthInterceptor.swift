import OMSCore
import OMSProto
import RPC
import Synchronization

/// Requires `authorization: Bearer <token>` on every call except the
/// services anyone may use (health, reflection).
final class AuthInterceptor: ServerInterceptor {
    static let publicServices: Set<String> = [
        Grpc_Health_V1_Health.serviceName, Grpc_Reflection_V1_ServerReflection.serviceName,
        Grpc_Reflection_V1alpha_ServerReflection.serviceName,
    ]
    /// Services only admin keys may call; service keys get PERMISSION_DENIED.
    static let adminServices: Set<String> = [Oms_V1_AdminService.serviceName]
    /// Single methods only admin keys may call: bulk loads and repairs.
    static let adminMethods: Set<String> = [
        Oms_V1_OrderService.Method.importOrders.path, Oms_V1_ReportService.Method.rebuildRollups.path,
        Oms_V1_InventoryService.Method.reconcileReservations.path,
    ]

    struct Verified {
        var principal: ApiKeys.Principal
        /// `ApiKeys.revocationGeneration` when the token was checked.
        var generation: UInt64
    }

    let keys: ApiKeys
    /// Header value → principal for tokens verified once (tokens are few):
    /// the usual call costs one dictionary lookup, no parsing or hashing.
    /// A revocation anywhere makes every entry stale, so a revoked token is
    /// refused from its next call on.
    private let verified = Mutex<[String: Verified]>([:])

    init(keys: ApiKeys) {
        self.keys = keys
    }

    func intercept(_ head: inout ServerCallHead) throws(RPCError) {
        if Self.publicServices.contains(head.service) { return }
        guard let authorization = head.authorization else {
            throw RPCError(
                .unauthenticated,
                "missing 'authorization: Bearer <token>' metadata (the admin token is in <data-dir>/admin.token)")
        }
        let principal = try principal(for: authorization)
        if !principal.isAdmin && Self.adminServices.contains(head.service) {
            throw RPCError(
                .permissionDenied, "API key \(principal.name) has the service role; \(head.service) needs an admin key")
        }
        if !principal.isAdmin && Self.adminMethods.contains(head.path) {
            throw RPCError(
                .permissionDenied, "API key \(principal.name) has the service role; \(head.path) needs an admin key")
        }
        head.principal = principal.name
    }

    private func principal(for authorization: String) throws(RPCError) -> ApiKeys.Principal {
        let generation = keys.revocationGeneration
        if let hit = verified.withLock({ $0[authorization] }), hit.generation == generation {
            return hit.principal
        }
        guard authorization.hasPrefix("Bearer ") || authorization.hasPrefix("bearer ") else {
            throw RPCError(.unauthenticated, "authorization must use the Bearer scheme")
        }
        let token = String(authorization.dropFirst(7)).trimmingSpaces()
        guard let principal = keys.authenticate(token) else {
            verified.withLock { _ = $0.removeValue(forKey: authorization) }
            throw RPCError(.unauthenticated, "invalid or revoked API token")
        }
        verified.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[authorization] = Verified(principal: principal, generation: generation)
        }
        return principal
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
