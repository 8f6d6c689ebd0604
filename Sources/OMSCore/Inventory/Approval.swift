/// Transfers and scrap are requested by one person and decided (approved or
/// rejected) by another: the four-eyes rule, and the checks every decision
/// request shares.
enum Approval {
    /// Nobody decides their own request.
    static func requireOtherThanRequester(_ actor: String, requestedBy: String, what: String) throws {
        guard actor != requestedBy else {
            throw DomainError(
                .permissionDenied, "\(actor) requested this \(what) and cannot also approve or reject it",
                reason: "SELF_APPROVAL")
        }
    }

    /// A decision names what it decides; a rejection (`reason` not nil) says why.
    static func checkDecision(id: String, reason: String? = nil, into validator: inout Validator) {
        validator.check(!id.isEmpty, "id", "must not be empty")
        if let reason {
            validator.check(!reason.isEmpty, "reason", "must say why")
            validator.check(reason.utf8.count <= Inventory.maxReasonBytes, "reason", "must be at most 500 bytes")
        }
    }
}
