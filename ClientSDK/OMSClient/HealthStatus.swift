/// The answer of a gRPC health check (`grpc.health.v1.HealthCheckResponse.ServingStatus`).
public enum HealthStatus: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The server (or service) is up and accepting calls.
    case serving = "SERVING"
    /// The server is up but not accepting calls (starting up or shutting down).
    case notServing = "NOT_SERVING"
    /// The server did not say.
    case unknown = "UNKNOWN"
    /// The server does not have the service that was asked about.
    case serviceUnknown = "SERVICE_UNKNOWN"

    /// The protocol's upper-case name: `SERVING`, `NOT_SERVING`, `UNKNOWN`, `SERVICE_UNKNOWN`.
    public var name: String { rawValue }

    /// The same as ``name``.
    public var description: String { rawValue }
}
