import ArgumentParser
import RPC

/// The HTTP/2 and gRPC limit flags of `omsd serve` (`RPCLimits.Config`),
/// each with an `OMSD_*` environment fallback: the flag wins over the
/// environment, the environment over the default. `--max-receive-message-bytes`
/// stays a flag of `serve` itself, as it always was.
struct LimitOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have open at once (default 1024).",
            valueName: "n"))
    var maxConcurrentStreams: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE: request bytes a stream may send before omsd reads them (default 1048576, 1-2147483647).",
            valueName: "bytes"))
    var initialStreamWindowBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Receive window of a whole connection, over all its streams (default 16777216, 65535-2147483647).",
            valueName: "bytes"))
    var connectionWindowBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "HTTP/2 SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted (default 16384, 16384-16777215).",
            valueName: "bytes"))
    var maxFrameBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE: larger request header blocks are refused (default 16384, at least 1024).",
            valueName: "bytes"))
    var maxHeaderListBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The largest response header block omsd sends, e.g. trailers with error details (default 65536, at least 1024).",
            valueName: "bytes"))
    var maxSendHeaderBlockBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Incomplete unary request bytes one connection may hold; more fail with RESOURCE_EXHAUSTED (default twice --max-receive-message-bytes, at least 67108864).",
            valueName: "bytes"))
    var maxBufferedRequestBytes: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "A streaming response waits while more than this is queued for a slow client (default 262144).",
            valueName: "bytes"))
    var streamHighWatermarkBytes: Int?

    /// Each option's flag, its value and where in the config it goes.
    private var options: [(flag: String, value: Int?, limit: RPCLimits.Limit)] {
        [
            ("max-concurrent-streams", maxConcurrentStreams, .maxConcurrentStreams),
            ("initial-stream-window-bytes", initialStreamWindowBytes, .initialStreamWindowBytes),
            ("connection-window-bytes", connectionWindowBytes, .connectionWindowBytes),
            ("max-frame-bytes", maxFrameBytes, .maxFrameBytes),
            ("max-header-list-bytes", maxHeaderListBytes, .maxHeaderListBytes),
            ("max-send-header-block-bytes", maxSendHeaderBlockBytes, .maxSendHeaderBlockBytes),
            ("max-buffered-request-bytes", maxBufferedRequestBytes, .maxBufferedRequestBytesPerConnection),
            ("stream-high-watermark-bytes", streamHighWatermarkBytes, .streamHighWatermarkBytes),
        ]
    }

    /// The limits these flags (then `environment`, then the defaults)
    /// describe, validated; a bad value names the flag or variable it came from.
    func limits(maxReceiveMessageBytes: Int, environment: [String: String]) throws -> RPCLimits.Config {
        var limits = RPCLimits.Config(maxReceiveMessageBytes: maxReceiveMessageBytes)
        let source = OrderPolicyOptions.Source(environment: environment)
        var origins: [RPCLimits.Limit: String] = [.maxReceiveMessageBytes: "--max-receive-message-bytes"]
        for option in options {
            guard
                let value = try source.int64(
                    option.value.map(Int64.init), option.flag, Int64(Int.min)...Int64(Int.max), "")
            else { continue }
            origins[option.limit] = source.origin(option.value.map(Int64.init), option.flag)
            Self.set(option.limit, to: Int(value), in: &limits)
        }
        do {
            try limits.validate()
        } catch {
            throw ValidationError(error.description(naming: origins[error.limit] ?? error.limit.rawValue))
        }
        return limits
    }

    private static func set(_ limit: RPCLimits.Limit, to value: Int, in limits: inout RPCLimits.Config) {
        switch limit {
        case .maxConcurrentStreams: limits.maxConcurrentStreams = value
        case .initialStreamWindowBytes: limits.initialStreamWindowBytes = value
        case .connectionWindowBytes: limits.connectionWindowBytes = value
        case .maxFrameBytes: limits.maxFrameBytes = value
        case .maxHeaderListBytes: limits.maxHeaderListBytes = value
        case .maxSendHeaderBlockBytes: limits.maxSendHeaderBlockBytes = value
        case .maxReceiveMessageBytes: limits.maxReceiveMessageBytes = value
        case .maxBufferedRequestBytesPerConnection: limits.maxBufferedRequestBytesPerConnection = value
        case .streamHighWatermarkBytes: limits.streamHighWatermarkBytes = value
        case .clientSendHighWatermarkBytes: limits.clientSendHighWatermarkBytes = value
        }
    }

    /// One line for the log: the limits in effect.
    static func summary(_ limits: RPCLimits.Config) -> String {
        "max concurrent streams \(limits.maxConcurrentStreams); windows \(limits.initialStreamWindowBytes) B per stream, "
            + "\(limits.connectionWindowBytes) B per connection; max frame \(limits.maxFrameBytes) B; "
            + "max header list \(limits.maxHeaderListBytes) B; max response header block \(limits.maxSendHeaderBlockBytes) B; "
            + "max message \(limits.maxReceiveMessageBytes) B; buffered requests \(limits.bufferedRequestBytesPerConnection) B "
            + "per connection; stream high-water mark \(limits.streamHighWatermarkBytes) B"
    }
}
