import KeyValueStorage
public import OMSProto
import Synchronization

/// API keys: bearer tokens stored as SHA-256 hashes in `auth`, each with a
/// name (the principal recorded in audit rows) and a role. Tokens are never
/// stored; a revoked key keeps its row (with who revoked it, and when) so
/// the list shows the whole history.
///
/// `auth` holds few rows (one per key), so listing and the name-uniqueness
/// check scan it rather than keep a second index.
public final class ApiKeys: Sendable {
    public static let adminRole = "admin"
    public static let serviceRole = "service"
    static let maxTokenBytes = 512
    static let auditCounter = "api_key_change"

    /// What an authenticated token may do.
    public struct Principal: Sendable, Hashable {
        public var name: String
        public var isAdmin: Bool
    }

    private let store: OMSStore
    /// Bumped by every revocation: callers that cache `authenticate` answers
    /// compare it to drop entries that may name a revoked key.
    private let revocations = Atomic<UInt64>(0)

    public init(store: OMSStore) {
        self.store = store
    }

    /// Changes each time a key is revoked.
    public var revocationGeneration: UInt64 { revocations.load(ordering: .acquiring) }

    // MARK: Commands

    /// Creates a key named `name` and returns it with its secret token (shown once).
    public func create(
        name: String, role: Oms_V1_ApiKeyRole, createdBy: String
    ) async throws -> (key: Oms_V1_ApiKey, token: String) {
        var request = Oms_V1_CreateApiKeyRequest()
        request.name = name
        request.role = role
        let response = try await store.run(CreateApiKey(token: "oms_" + Self.randomToken()), request, actor: createdBy)
        return (response.key ?? Oms_V1_ApiKey(), response.token)
    }

    /// Revokes the active key named `name`.
    public func revoke(name: String, revokedBy: String) async throws -> Oms_V1_ApiKey {
        var request = Oms_V1_RevokeApiKeyRequest()
        request.name = name
        let response = try await store.run(RevokeApiKey(), request, actor: revokedBy)
        // After the batch is durable: cached answers for this token go now.
        revocations.add(1, ordering: .releasing)
        return response.key ?? Oms_V1_ApiKey()
    }

    // MARK: Queries

    /// Every key, revoked ones included, by name.
    public func list() throws -> [Oms_V1_ApiKey] {
        try store.engine.scan(store.families.auth, prefix: [], limit: Int.max)
            .map { try Self.apiKey(Oms_V1_ApiKeyRecord(serializedBytes: $0.value)) }
            .sorted { $0.name < $1.name }
    }

    /// The principal `token` authenticates, or nil when it is unknown,
    /// revoked or holds no known role. One point read (callers cache it).
    public func authenticate(_ token: String) -> Principal? {
        guard !token.isEmpty, token.utf8.count <= Self.maxTokenBytes,
            let bytes = try? store.engine.get(store.families.auth, SHA256.hash(Array(token.utf8))),
            let record = try? Oms_V1_ApiKeyRecord(serializedBytes: bytes),
            record.revokedAtMillis == 0
        else { return nil }
        let isAdmin = record.roles.contains(Self.adminRole)
        guard isAdmin || record.roles.contains(Self.serviceRole) else { return nil }
        return Principal(name: record.name, isAdmin: isAdmin)
    }

    // MARK: Rows

    static func records(
        _ transaction: WriteTransaction, families: ColumnFamilies
    ) throws
        -> [(key: [UInt8], record: Oms_V1_ApiKeyRecord)]
    {
        try transaction.scan(families.auth, prefix: [], limit: Int.max).map {
            ($0.key, try Oms_V1_ApiKeyRecord(serializedBytes: $0.value))
        }
    }

    static func apiKey(_ record: Oms_V1_ApiKeyRecord) -> Oms_V1_ApiKey {
        var key = Oms_V1_ApiKey()
        key.name = record.name
        key.role =
            record.roles.contains(adminRole) ? .admin : record.roles.contains(serviceRole) ? .service : .unspecified
        key.createdAtMillis = record.createdAtMillis
        key.createdBy = record.createdBy
        key.revokedAtMillis = record.revokedAtMillis
        key.revokedBy = record.revokedBy
        key.tokenPrefix = record.tokenPrefix
        return key
    }

    /// 32 random bytes from the OS, hex-encoded.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
