public import KeyValueStorage
public import OMSProto

/// One `request_id` of one method: where the first run's response is kept
/// (`idempotency`, keyed by method and id), inside the command's own write
/// transaction. The first run records its response in the same batch as its
/// effects, so a retry either finds the record (and gets the same response)
/// or runs for the first time — never both, never twice.
struct IdempotencyKey {
    let method: String
    let requestID: String
    let key: [UInt8]

    init(method: String, requestID: String) {
        var key: [UInt8] = []
        KeyCodec.appendLengthPrefixed(method, to: &key)
        key.append(contentsOf: requestID.utf8)
        self.method = method
        self.requestID = requestID
        self.key = key
    }

    /// The stored response, if a request with this fingerprint ran before.
    /// Throws ALREADY_EXISTS when the key was used with a different request.
    func replay<Response: ProtoMessage>(
        _ transaction: WriteTransaction, families: ColumnFamilies, fingerprint: [UInt8], as: Response.Type
    ) throws -> Response? {
        guard let stored = try transaction.get(families.idempotency, key) else { return nil }
        let record = try Oms_V1_IdempotencyRecord(serializedBytes: stored)
        guard record.requestFingerprint == fingerprint else {
            throw DomainError(
                .alreadyExists,
                "request_id \(requestID) was already used with a different request",
                violations: [.init(field: "request_id", description: "already used with a different request")],
                reason: "REQUEST_ID_REUSED")
        }
        return try Response(serializedBytes: record.response)
    }

    /// Records `response` in the same batch as the command's effects.
    func record<Response: ProtoMessage>(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, fingerprint: [UInt8], response: Response,
        nowMillis: Int64
    ) {
        var record = Oms_V1_IdempotencyRecord()
        record.method = method
        record.requestFingerprint = fingerprint
        record.response = response.serializedBytes()
        record.createdAtMillis = nowMillis
        transaction.put(families.idempotency, key, record.serializedBytes())
    }
}
