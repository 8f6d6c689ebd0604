import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with posix_spawn: standard input from /dev/null, standard
/// output and error into files, in a given working directory.
///
/// Not Foundation's `Process`: on Linux its `run()` crashed (SIGSEGV in a
/// memcpy inside `Process.run()`) while several tests launched omsctl at
/// once, and it ties each child to the run loop of whichever pool thread
/// launched it. Tests/OMSProtoTests/Subprocess.swift avoids it as well.
enum ChildProcess {
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String,
        limit: Duration
    ) async throws -> Omsctl.Output {
        let id = UUID().uuidString
        let stdoutPath = "\(directory)/.stdout-\(id)"
        let stderrPath = "\(directory)/.stderr-\(id)"
        defer {
            unlink(stdoutPath)
            unlink(stderrPath)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard let addChdir = GNUSpawnActions.addChdir else {
            throw TestFailure("this libc has no posix_spawn_file_actions_addchdir_np (glibc 2.29+)")
        }
        guard addChdir(&actions, directory) == 0 else { throw TestFailure("cannot chdir the child to \(directory)") }
        // The test process's sockets and files stay out of the child.
        if let addClosefrom = GNUSpawnActions.addClosefrom { _ = addClosefrom(&actions, 3) }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        let child = SpawnedChild(pid: pid)
        let watchdog = Task {
            try await Task.sleep(for: limit)
            child.kill()
        }
        let status = await child.exitStatus()
        watchdog.cancel()
        if status.signal != 0 {
            throw TestFailure("\(executable) \(arguments) was killed by signal \(status.signal) (ran past \(limit)?)")
        }
        return Omsctl.Output(
            status: status.code,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }
}

/// A spawned child, waited for on a thread of its own so no thread of the
/// concurrency pool blocks in waitpid.
private final class SpawnedChild: Sendable {
    let pid: pid_t
    /// Set once the child has exited; from then on its pid may belong to another process.
    private let exited = Mutex(false)

    init(pid: pid_t) {
        self.pid = pid
    }

    /// The exit code, or the signal that ended it.
    func exitStatus() async -> (code: Int32, signal: Int32) {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                // Wait without reaping, so kill() cannot hit a recycled pid; then reap.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                exited.withLock { $0 = true }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? ((status >> 8) & 0xff, 0) : (0, signal))
            }
            thread.name = "ChildProcess.wait"
            thread.start()
        }
    }

    func kill() {
        exited.withLock { exited in
            if !exited { _ = Glibc.kill(pid, SIGKILL) }
        }
    }
}

/// GNU posix_spawn extensions the Glibc module does not import (they need _GNU_SOURCE).
private enum GNUSpawnActions {
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
