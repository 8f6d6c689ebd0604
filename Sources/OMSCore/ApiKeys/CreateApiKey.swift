public import OMSProto

/// `CreateApiKey`: stores a new key under the SHA-256 hash of its token (the
/// token itself is never stored) with an audit row. Names are unique, revoked
/// keys included. The token is made before the command runs, so a retried
/// write group stores the same one.
public struct CreateApiKey: WriteCommand {
    public static let method = Oms_V1_AdminService.Method.createApiKey
    let token: String

    public init(token: String) {
        self.token = token
    }

    public static func requestID(of request: Oms_V1_CreateApiKeyRequest) -> String { "" }
    public func fingerprint(of request: Oms_V1_CreateApiKeyRequest) -> [UInt8] { [] }

    public func validate(_ request: Oms_V1_CreateApiKeyRequest, into validator: inout Validator) {
        validator.checkID(request.name, "name")
        switch request.role {
        case .unspecified, .admin, .service: break
        case .UNRECOGNIZED(let value): validator.check(false, "role", "unknown role \(value)")
        }
    }

    public func apply(
        _ request: Oms_V1_CreateApiKeyRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateApiKeyResponse {
        let families = context.families
        let name = request.name
        if try ApiKeys.records(context.transaction, families: families).contains(where: { $0.record.name == name }) {
            throw DomainError(
                .alreadyExists, "an API key named \(name) already exists (revoked keys keep their names)",
                violations: [.init(field: "name", description: "already used")], reason: "API_KEY_EXISTS")
        }
        var record = Oms_V1_ApiKeyRecord()
        record.name = name
        record.roles = [request.role == .admin ? ApiKeys.adminRole : ApiKeys.serviceRole]
        record.createdAtMillis = context.nowMillis
        record.createdBy = context.actor
        record.tokenPrefix = String(token.prefix(8))
        context.transaction.put(families.auth, SHA256.hash(Array(token.utf8)), record.serializedBytes())
        try context.audit(resource: "api_key", id: name, sequence: ApiKeys.auditCounter)
        var response = Oms_V1_CreateApiKeyResponse()
        response.key = ApiKeys.apiKey(record)
        response.token = token
        return response
    }
}
