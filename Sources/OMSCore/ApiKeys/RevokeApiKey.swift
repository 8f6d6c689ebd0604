public import OMSProto

/// `RevokeApiKey`: marks the active key named in the request revoked (its row
/// stays, with who revoked it and when). The last active admin key cannot be
/// revoked.
public struct RevokeApiKey: WriteCommand {
    public static let method = Oms_V1_AdminService.Method.revokeApiKey

    public init() {}

    public static func requestID(of request: Oms_V1_RevokeApiKeyRequest) -> String { "" }
    public func fingerprint(of request: Oms_V1_RevokeApiKeyRequest) -> [UInt8] { [] }

    public func validate(_ request: Oms_V1_RevokeApiKeyRequest, into validator: inout Validator) {
        validator.checkID(request.name, "name")
    }

    public func apply(
        _ request: Oms_V1_RevokeApiKeyRequest, in context: inout CommandContext
    ) throws -> Oms_V1_RevokeApiKeyResponse {
        let families = context.families
        let name = request.name
        let all = try ApiKeys.records(context.transaction, families: families)
        guard let found = all.first(where: { $0.record.name == name }) else {
            throw DomainError(.notFound, "no API key named \(name)", reason: "API_KEY_NOT_FOUND")
        }
        guard found.record.revokedAtMillis == 0 else {
            throw DomainError(.failedPrecondition, "API key \(name) is already revoked", reason: "API_KEY_REVOKED")
        }
        if found.record.roles.contains(ApiKeys.adminRole) {
            let otherAdmins = all.filter {
                $0.record.name != name && $0.record.revokedAtMillis == 0 && $0.record.roles.contains(ApiKeys.adminRole)
            }
            guard !otherAdmins.isEmpty else {
                throw DomainError(
                    .failedPrecondition,
                    "\(name) is the last active admin key; create another admin key before revoking it",
                    reason: "LAST_ADMIN_KEY")
            }
        }
        var record = found.record
        record.revokedAtMillis = context.nowMillis
        record.revokedBy = context.actor
        context.transaction.put(families.auth, found.key, record.serializedBytes())
        try context.audit(resource: "api_key", id: name, sequence: ApiKeys.auditCounter)
        var response = Oms_V1_RevokeApiKeyResponse()
        response.key = ApiKeys.apiKey(record)
        return response
    }
}
