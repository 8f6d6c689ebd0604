import Foundation

/// The real `omsctl` binary, built next to the test bundle, run in a
/// workspace: HOME and the working directory are the workspace's, and the
/// environment holds only what a test passes (plus PATH), so no user config,
/// `$OMS_*` or ./var/data/admin.token leaks in.
struct Omsctl {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String

        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    let executable: String
    let workspace: Workspace

    init(workspace: Workspace) throws {
        self.executable = try Self.locate()
        self.workspace = workspace
    }

    /// The omsctl executable in the directory of the running test executable.
    static func locate() throws -> String {
        var directories: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append((exe as NSString).deletingLastPathComponent)
        }
        let argument0 = CommandLine.arguments[0]
        let absolute =
            argument0.hasPrefix("/") ? argument0 : FileManager.default.currentDirectoryPath + "/" + argument0
        directories.append((absolute as NSString).deletingLastPathComponent)
        for directory in directories {
            let candidate = directory + "/omsctl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure(
            "omsctl is not next to the test executable (looked in \(directories.joined(separator: ", "))); "
                + "build it with `swift build --build-tests` before `swift test --skip-build`")
    }

    /// The environment every run starts from.
    var baseEnvironment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": workspace.home,
            "SHELL": "/bin/sh",
            "LANG": "C.UTF-8",
        ]
    }

    /// Runs `omsctl arguments...` and waits for it (at most 60 s, then it is killed).
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        try await Self.spawn(
            executable, arguments, environment: baseEnvironment.merging(environment) { $1 },
            directory: workspace.path)
    }

    /// Runs any program the same way (used for `script`).
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String
    ) async throws -> Output {
        try await ChildProcess.run(
            executable, arguments, environment: environment, directory: directory, limit: .seconds(60))
    }
}
