import Nghttp2
import OMSProto

/// Header blocks of gRPC responses. The success ones never change, so they
/// are built once and shared by every stream of every connection.
enum ResponseHeaders {
    static let ok = HTTP2HeaderBlock(
        [HTTP2HeaderField(":status", "200"), HTTP2HeaderField("content-type", "application/grpc")],
        longLived: true)
    static let okTrailers = HTTP2HeaderBlock([HTTP2HeaderField("grpc-status", "0")], longLived: true)

    /// Status fields (`grpc-status`, `grpc-message`, `grpc-status-details-bin`).
    static func statusFields(_ error: RPCError) -> [HTTP2HeaderField] {
        var fields = [HTTP2HeaderField("grpc-status", String(error.code.rawValue))]
        if !error.message.isEmpty {
            fields.append(HTTP2HeaderField("grpc-message", PercentEncoding.encode(error.message)))
        }
        if !error.details.isEmpty {
            fields.append(
                HTTP2HeaderField(
                    "grpc-status-details-bin", ProtoBase64.encode(StatusDetailsCodec.encode(error), padded: false)))
        }
        for (key, value) in error.metadata.wireFields {
            fields.append(HTTP2HeaderField(key, value))
        }
        return fields
    }

    static func trailers(_ error: RPCError) -> HTTP2HeaderBlock {
        error.code == .ok && error.message.isEmpty && error.details.isEmpty && error.metadata.isEmpty
            ? okTrailers : HTTP2HeaderBlock(statusFields(error))
    }

    /// A trailers-only response: HTTP status, content type and gRPC status in one block.
    static func trailersOnly(
        _ error: RPCError, httpStatus: Int = 200, extra: [HTTP2HeaderField] = []
    ) -> HTTP2HeaderBlock {
        HTTP2HeaderBlock(
            [HTTP2HeaderField(":status", String(httpStatus)), HTTP2HeaderField("content-type", "application/grpc")]
                + extra + statusFields(error))
    }
}
