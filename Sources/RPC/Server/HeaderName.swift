/// Byte-level header comparisons, so request heads are parsed without
/// allocating a String per header.
enum HeaderName {
    static let path: StaticString = ":path"
    static let method: StaticString = ":method"
    static let post: StaticString = "POST"
    static let contentType: StaticString = "content-type"
    static let te: StaticString = "te"
    static let trailers: StaticString = "trailers"
    static let grpcTimeout: StaticString = "grpc-timeout"
    static let grpcEncoding: StaticString = "grpc-encoding"
    static let authorization: StaticString = "authorization"
    static let applicationGRPC: StaticString = "application/grpc"

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        guard let base = bytes.baseAddress else { return literal.utf8CodeUnitCount == 0 }
        return memcmp(base, literal.utf8Start, bytes.count) == 0
    }

    /// `application/grpc`, `application/grpc+proto`, or `application/grpc;...`.
    static func isGRPCContentType(_ value: UnsafeRawBufferPointer) -> Bool {
        let prefix = applicationGRPC.utf8CodeUnitCount
        guard value.count >= prefix, let base = value.baseAddress,
            memcmp(base, applicationGRPC.utf8Start, prefix) == 0
        else { return false }
        if value.count == prefix { return true }
        let rest = UnsafeRawBufferPointer(rebasing: value[prefix...])
        if rest.first == UInt8(ascii: ";") { return true }
        return rest.count == 6 && memcmp(rest.baseAddress!, "+proto", 6) == 0
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
