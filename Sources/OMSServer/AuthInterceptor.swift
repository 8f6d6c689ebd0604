import OMSCore
import RPC
import Synchronization

/// Requires `authorization: Bearer <token>` on every call except the
/// services anyone may use (health, reflection).
final class AuthInterceptor: ServerInterceptor {
    static let publicServices: Set<String> = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    ]

    let keys: ApiKeys
    /// Header value → principal for tokens verified once (tokens are few):
    /// the usual call costs one dictionary lookup, no parsing or hashing.
    private let verified = Mutex<[String: String]>([:])

    init(keys: ApiKeys) {
        self.keys = keys
    }

    func intercept(_ head: inout ServerCallHead) throws(RPCError) {
        if Self.publicServices.contains(head.service) { return }
        guard let authorization = head.authorization else {
            throw RPCError(
                .unauthenticated, "missing 'authorization: Bearer <token>' metadata (the admin token is in <data-dir>/admin.token)")
        }
        if let principal = verified.withLock({ $0[authorization] }) {
            head.principal = principal
            return
        }
        guard authorization.hasPrefix("Bearer ") || authorization.hasPrefix("bearer ") else {
            throw RPCError(.unauthenticated, "authorization must use the Bearer scheme")
        }
        let token = String(authorization.dropFirst(7)).trimmingSpaces()
        guard let principal = keys.authenticate(token) else {
            throw RPCError(.unauthenticated, "invalid API token")
        }
        verified.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[authorization] = principal
        }
        head.principal = principal
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
