import OMSProto

/// Encodes and decodes `grpc-status-details-bin`: a `google.rpc.Status` whose
/// `details` hold `BadRequest`, `ErrorInfo` and `PreconditionFailure` messages.
enum StatusDetailsCodec {
    static let typePrefix = "type.googleapis.com/"

    static func encode(_ error: RPCError) -> [UInt8] {
        var status = Google_Rpc_Status()
        status.code = error.code.rawValue
        status.message = error.message
        var badRequest = Google_Rpc_BadRequest()
        var precondition = Google_Rpc_PreconditionFailure()
        for detail in error.details {
            switch detail {
            case .fieldViolation(let field, let description, let reason):
                var violation = Google_Rpc_BadRequest.FieldViolation()
                violation.field = field
                violation.description_p = description
                violation.reason = reason
                badRequest.fieldViolations.append(violation)
            case .errorInfo(let reason, let domain, let metadata):
                var info = Google_Rpc_ErrorInfo()
                info.reason = reason
                info.domain = domain
                info.metadata = metadata
                status.details.append(pack(info))
            case .preconditionViolation(let type, let subject, let description):
                var violation = Google_Rpc_PreconditionFailure.Violation()
                violation.type = type
                violation.subject = subject
                violation.description_p = description
                precondition.violations.append(violation)
            case .other(let typeURL, let value):
                var any = Google_Protobuf_Any()
                any.typeURL = typeURL
                any.value = value
                status.details.append(any)
            }
        }
        if !badRequest.fieldViolations.isEmpty { status.details.insert(pack(badRequest), at: 0) }
        if !precondition.violations.isEmpty { status.details.append(pack(precondition)) }
        return status.serializedBytes()
    }

    /// Decodes details; unknown `Any` types are kept as `.other`.
    static func decode(_ bytes: [UInt8]) -> (code: Int32, message: String, details: [ErrorDetail])? {
        guard let status = try? Google_Rpc_Status(serializedBytes: bytes) else { return nil }
        var details: [ErrorDetail] = []
        for any in status.details {
            let name = any.typeURL.split(separator: "/").last.map(String.init) ?? ""
            switch name {
            case Google_Rpc_BadRequest.protoMessageName:
                guard let request = try? Google_Rpc_BadRequest(serializedBytes: any.value) else { fallthrough }
                for violation in request.fieldViolations {
                    details.append(
                        .fieldViolation(
                            field: violation.field, description: violation.description_p, reason: violation.reason))
                }
            case Google_Rpc_ErrorInfo.protoMessageName:
                guard let info = try? Google_Rpc_ErrorInfo(serializedBytes: any.value) else { fallthrough }
                details.append(.errorInfo(reason: info.reason, domain: info.domain, metadata: info.metadata))
            case Google_Rpc_PreconditionFailure.protoMessageName:
                guard let failure = try? Google_Rpc_PreconditionFailure(serializedBytes: any.value) else {
                    fallthrough
                }
                for violation in failure.violations {
                    details.append(
                        .preconditionViolation(
                            type: violation.type, subject: violation.subject, description: violation.description_p))
                }
            default:
                details.append(.other(typeURL: any.typeURL, value: any.value))
            }
        }
        return (status.code, status.message, details)
    }

    private static func pack<M: ProtoMessage>(_ message: M) -> Google_Protobuf_Any {
        var any = Google_Protobuf_Any()
        any.typeURL = typePrefix + M.protoMessageName
        any.value = message.serializedBytes()
        return any
    }
}
