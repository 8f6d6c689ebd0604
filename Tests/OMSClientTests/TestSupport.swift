import OMSClient
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The `OMSError` `body` throws, or nil when it succeeds; anything else the
/// SDK throws is a test failure (it promises to throw only `OMSError`).
func omsError(
    _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) async -> OMSError? {
    await outcome(body, sourceLocation: sourceLocation).failure
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bound, then closed, so
/// nothing listens there.
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestFailure("bind failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A product with the fields the server requires.
func product(_ sku: String, name: String = "Widget", price: Int64 = 1250, currency: String = "USD") -> Oms_V1_Product {
    Oms_V1_Product.with {
        $0.sku = sku
        $0.name = name
        $0.unitPrice = .with {
            $0.currencyCode = currency
            $0.amountMinor = price
        }
    }
}

/// Polls `condition` every 10 ms until it holds; false if it still does not after `limit`.
/// A bound on waiting for something that must happen, never a measurement.
func eventually(within limit: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// What `body` returned or threw (an `OMSError`; anything else is recorded as a failure).
func outcome<T>(
    _ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation
) async -> Result<T, OMSError> {
    do {
        return .success(try await body())
    } catch let error as OMSError {
        return .failure(error)
    } catch {
        Issue.record("the SDK threw \(type(of: error)), not OMSError: \(error)", sourceLocation: sourceLocation)
        return .failure(OMSError(code: .unknown, message: "\(error)"))
    }
}

extension Result {
    /// The error, or nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
