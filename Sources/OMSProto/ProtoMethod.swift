/// One RPC of a service, with its request and response message types.
/// Generated per method (`Oms_V1_CatalogService.Method.upsertProduct`) so the
/// server router and the client agree on the path and the types.
public struct ProtoMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable, Hashable {
    /// Fully qualified service name, e.g. `oms.v1.CatalogService`.
    public let service: String
    /// Method name as declared, e.g. `UpsertProduct`.
    public let name: String
    /// The HTTP/2 `:path` of the call: `/oms.v1.CatalogService/UpsertProduct`.
    public let path: String
    public let clientStreaming: Bool
    public let serverStreaming: Bool

    public init(service: String, name: String, clientStreaming: Bool, serverStreaming: Bool) {
        self.service = service
        self.name = name
        self.path = "/\(service)/\(name)"
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
    }
}
