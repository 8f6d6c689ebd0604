#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the route of a request's `:path` bytes for one connection,
/// remembering the last match: clients mostly call one method repeatedly, so
/// a lookup usually costs one memcmp instead of a String and a hash.
struct RouteLookup {
    let router: Router
    private var lastPath: (bytes: [UInt8], route: Route)?

    init(router: Router) {
        self.router = router
    }

    mutating func route(forPath bytes: UnsafeRawBufferPointer) -> Route? {
        if let lastPath, lastPath.bytes.count == bytes.count,
            bytes.count == 0
                || lastPath.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
        {
            return lastPath.route
        }
        let route = router.route(for: String(decoding: bytes, as: UTF8.self))
        if let route { lastPath = (Array(bytes), route) }
        return route
    }

    /// Whether `path` (`/package.Service/Method`) names a registered service,
    /// for the error text of an unknown method. Not on the hot path.
    func knowsService(ofPath path: String) -> Bool {
        let service = path.dropFirst().prefix { $0 != "/" }
        return router.services.contains(String(service))
    }

    /// Forgets the remembered match (the connection is going away).
    mutating func reset() {
        lastPath = nil
    }
}
