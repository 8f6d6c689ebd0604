import Dispatch
import Foundation
import OMSClient
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP relay on 127.0.0.1 between an SDK client and omsd, on plain blocking
/// sockets. It reads the HTTP/2 frame headers going through, so a test can
/// see what the client really sent (streams opened, RST_STREAMs) and how many
/// connections it made, and it can lose a response on purpose: on the first
/// `cutResponses` connections it closes both sides just before the server's
/// first response HEADERS frame, i.e. after omsd has handled the request but
/// before the client hears about it.
final class TCPRelay: Sendable {
    struct Counts: Sendable {
        /// Connections accepted from the client.
        var connections = 0
        /// HEADERS frames on a stream (new calls) the client sent and the relay passed on.
        var requestsForwarded = 0
        /// RST_STREAM frames the client sent and the relay passed on.
        var resetsForwarded = 0
        /// Connections cut before a response reached the client.
        var responsesCut = 0
    }

    let port: Int
    private let upstreamPort: Int
    private let cutResponses: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let pumps = DispatchGroup()

    private struct State {
        var counts = Counts()
        var sockets: Set<Int32> = []
        var stopped = false
    }

    /// Starts relaying to 127.0.0.1:`upstreamPort`.
    init(upstreamPort: Int, cutResponses: Int = 0) throws {
        self.upstreamPort = upstreamPort
        self.cutResponses = cutResponses
        (listener, port) = try Self.listen()
        let pumps = self.pumps
        pumps.enter()
        Self.onOwnThread { [self] in
            acceptLoop()
            pumps.leave()
        }
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// Stops accepting, closes every relayed connection and waits for the pump threads.
    func stop() async {
        let sockets = state.withLock { state -> Set<Int32> in
            state.stopped = true
            return state.sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        await withCheckedContinuation { continuation in
            pumps.notify(queue: .global()) { continuation.resume() }
        }
        close(listener)
    }

    // MARK: Relaying

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard let upstream = try? Self.connect(port: upstreamPort) else {
                close(client)
                continue
            }
            let (number, accepted) = state.withLock { state -> (Int, Bool) in
                guard !state.stopped else { return (0, false) }
                state.counts.connections += 1
                state.sockets.formUnion([client, upstream])
                return (state.counts.connections, true)
            }
            guard accepted else {
                close(client)
                close(upstream)
                return
            }
            let finished = Mutex(0)
            let closeBoth: @Sendable () -> Void = { [self] in
                shutdown(client, Int32(SHUT_RDWR))
                shutdown(upstream, Int32(SHUT_RDWR))
                let both = finished.withLock { count -> Bool in
                    count += 1
                    return count == 2
                }
                if both {
                    state.withLock { $0.sockets.subtract([client, upstream]) }
                    close(client)
                    close(upstream)
                }
            }
            let cut = number <= cutResponses
            pumps.enter()
            Self.onOwnThread { [self, pumps] in
                pumpRequests(from: client, to: upstream)
                closeBoth()
                pumps.leave()
            }
            pumps.enter()
            Self.onOwnThread { [self, pumps] in
                pumpResponses(from: upstream, to: client, cutBeforeFirstResponse: cut)
                closeBoth()
                pumps.leave()
            }
        }
    }

    /// Client → server, counting the frames that went through.
    private func pumpRequests(from source: Int32, to destination: Int32) {
        var scanner = FrameScanner(skipping: 24)  // the client connection preface
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(source, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            let frames = scanner.scan(buffer[0..<count])
            guard Self.sendAll(destination, buffer[0..<count]) else { return }
            let opened = frames.filter { $0.type == FrameScanner.headers && $0.streamID > 0 }.count
            let resets = frames.filter { $0.type == FrameScanner.rstStream }.count
            state.withLock {
                $0.counts.requestsForwarded += opened
                $0.counts.resetsForwarded += resets
            }
        }
    }

    /// Server → client; with `cutBeforeFirstResponse`, ends the connection
    /// instead of passing on the first response HEADERS frame.
    private func pumpResponses(from source: Int32, to destination: Int32, cutBeforeFirstResponse: Bool) {
        var scanner = FrameScanner(skipping: 0)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(source, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            let frames = scanner.scan(buffer[0..<count])
            if cutBeforeFirstResponse,
                let response = frames.first(where: { $0.type == FrameScanner.headers && $0.streamID > 0 })
            {
                _ = Self.sendAll(destination, buffer[0..<max(0, response.offset)])
                state.withLock { $0.counts.responsesCut += 1 }
                return
            }
            guard Self.sendAll(destination, buffer[0..<count]) else { return }
        }
    }

    /// Blocking socket loops get threads of their own: parked on Dispatch's
    /// global queues they would starve everything else queued there.
    private static func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "TCPRelay"
        thread.start()
    }

    // MARK: Sockets

    private static func sendAll(_ socket: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                send(socket, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            sent += result
        }
        return true
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    private static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect to port \(port) failed: errno \(errno)")
        }
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }
}

/// Finds HTTP/2 frame headers (9 bytes: length, type, flags, stream id) in a
/// byte stream that arrives in arbitrary chunks.
struct FrameScanner {
    static let headers: UInt8 = 0x1
    static let rstStream: UInt8 = 0x3

    struct Frame {
        var type: UInt8
        var streamID: UInt32
        /// Where the frame header starts in the chunk that completed it (negative if in an earlier chunk).
        var offset: Int
    }

    private var skip: Int
    private var header: [UInt8] = []
    private var headerStart = 0
    private var payloadLeft = 0

    init(skipping prefix: Int) {
        skip = prefix
    }

    mutating func scan(_ chunk: ArraySlice<UInt8>) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        let bytes = Array(chunk)
        while index < bytes.count {
            if skip > 0 {
                let taken = min(skip, bytes.count - index)
                skip -= taken
                index += taken
            } else if payloadLeft > 0 {
                let taken = min(payloadLeft, bytes.count - index)
                payloadLeft -= taken
                index += taken
            } else {
                if header.isEmpty { headerStart = index }
                header.append(bytes[index])
                index += 1
                if header.count == 9 {
                    let length = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
                    let stream =
                        (UInt32(header[5]) << 24 | UInt32(header[6]) << 16 | UInt32(header[7]) << 8
                            | UInt32(header[8])) & 0x7FFF_FFFF
                    frames.append(Frame(type: header[3], streamID: stream, offset: headerStart))
                    payloadLeft = length
                    header.removeAll(keepingCapacity: true)
                }
            }
        }
        // A header split across chunks started before this chunk.
        if !header.isEmpty { headerStart -= bytes.count }
        return frames
    }
}

/// Runs `body` with a relay in front of `omsd` and an SDK client that talks
/// through it, then closes both.
func withRelay(
    to omsd: InProcessDaemon, cutResponses: Int = 0, options: OMSClient.Options = .init(),
    _ body: (TCPRelay, OMSClient) async throws -> Void
) async throws {
    let relay = try TCPRelay(upstreamPort: omsd.port, cutResponses: cutResponses)
    let client: OMSClient
    do {
        client = try omsd.client(address: "127.0.0.1:\(relay.port)", options: options)
    } catch {
        await relay.stop()
        throw error
    }
    do {
        try await body(relay, client)
    } catch {
        await client.close()
        await relay.stop()
        throw error
    }
    await client.close()
    await relay.stop()
}
