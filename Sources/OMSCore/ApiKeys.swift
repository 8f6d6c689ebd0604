import OMSProto
import Storage

/// API keys: bearer tokens stored as SHA-256 hashes in `auth`, each with a
/// name (the principal recorded in audit rows) and roles.
public final class ApiKeys: Sendable {
    private let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    /// Creates a new key and returns its secret token (shown once).
    public func create(name: String, roles: [String]) async throws -> String {
        let token = "oms_" + Self.randomToken()
        let families = store.families
        let hash = SHA256.hash(Array(token.utf8))
        _ = try await store.writer.perform { transaction in
            var record = Oms_V1_ApiKeyRecord()
            record.name = name
            record.roles = roles
            record.createdAtMillis = transaction.now / 1_000_000
            transaction.put(families.auth, hash, record.serializedBytes())
            return true
        }
        return token
    }

    /// Looks the token's hash up in `auth` (callers cache the answer).
    public func authenticate(_ token: String) -> String? {
        guard !token.isEmpty, token.utf8.count <= 512,
            let bytes = try? store.database.get(store.families.auth, SHA256.hash(Array(token.utf8))),
            let record = try? Oms_V1_ApiKeyRecord(serializedBytes: bytes)
        else { return nil }
        return record.name
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
