import Foundation
import Logging
import OMSCore
import OMSServer
import Storage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A non-default order policy takes effect: through `OMSDaemon.Config`, and
/// through the real `omsd serve` flags.
@Suite("order policy configuration")
struct OrdersPolicyTests {
    @Test("OMSDaemon.Config.orderPolicy: a 2 h payment deadline, no free window and a fixed fee of 3.00")
    func configPolicy() async throws {
        var policy = OrderPolicy.defaults
        policy.paymentDeadlineMillis = 2 * 3_600_000
        policy.freeCancellationWindowMillis = 0
        policy.cancellationFee = .fixed(amountMinor: 300)
        try await withPolicyDaemon(policy) { omsd, omsctl in
            try await setUpShop(omsd, omsctl)
            let id = try await createOrder(omsd, omsctl, quantity: 2)
            try await expectPolicy(omsd, omsctl, orderID: id, deadlineMillis: 2 * 3_600_000, feeMinor: 300)
        }
    }

    @Test("omsd serve --payment-deadline-hours 5 --free-cancel-hours 0 --cancel-fee-bps 1000 applies to orders")
    func servePolicyFlags() async throws {
        let workspace = try Workspace.make()
        defer { workspace.remove() }
        let port = try closedPort()
        let dataDirectory = workspace.path + "/data"
        let pidFile = workspace.path + "/omsd.pid"
        // sh records its pid, then becomes omsd, so the test can SIGTERM exactly that process.
        let daemon = Task {
            try await ChildProcess.run(
                "/bin/sh",
                [
                    "-c", "echo $$ > \"$0\"; exec \"$@\"", pidFile, try locateOmsd(), "serve", "--listen",
                    "127.0.0.1:\(port)", "--data-dir", dataDirectory, "--payment-deadline-hours", "5",
                    "--free-cancel-hours", "0", "--cancel-fee-bps", "1000",
                ],
                environment: ["PATH": "/usr/bin:/bin", "OMSD_CANCEL_FEE_MINOR": "1", "OMSD_THREADS": "1"],
                directory: workspace.path, limit: .seconds(120))
        }
        let omsctl = try Omsctl(workspace: workspace)
        let omsd = ExternalDaemon(address: "127.0.0.1:\(port)", tokenPath: dataDirectory + "/admin.token")
        do {
            try await omsd.waitUntilServing(omsctl)
            try await setUpShop(omsd, omsctl)
            let id = try await createOrder(omsd, omsctl, quantity: 2)
            // 10% of 25.00: the flag wins over OMSD_CANCEL_FEE_MINOR in the environment.
            try await expectPolicy(omsd, omsctl, orderID: id, deadlineMillis: 5 * 3_600_000, feeMinor: 250)
        } catch {
            omsd.terminate(pidFile: pidFile)
            _ = try? await daemon.value
            throw error
        }
        omsd.terminate(pidFile: pidFile)
        let output = try await daemon.value
        #expect(output.status == 0, "omsd stderr: \(output.stderr)")
        #expect(
            output.stderr.contains("order policy: payment deadline 5 h; free cancellation 0 h, then a fee of 1000 bps"),
            "omsd stderr: \(output.stderr)")
    }

    @Test("omsd serve --help lists the order policy flags with their environment fallbacks")
    func help() async throws {
        let workspace = try Workspace.make()
        defer { workspace.remove() }
        let help = try await ChildProcess.run(
            try locateOmsd(), ["serve", "--help"], environment: ["PATH": "/usr/bin:/bin"],
            directory: workspace.path, limit: .seconds(30))
        #expect(help.status == 0)
        for flag in [
            "--payment-deadline-hours", "--free-cancel-hours", "--cancel-fee-bps", "--cancel-fee-minor",
            "--one-approval-from-minor", "--two-approvals-from-minor", "--abnormal-amount-minor",
            "--abnormal-multiple-of-average", "--duplicate-window-minutes", "--auto-complete-days",
            "--points-per-hundred-minor", "--loyalty-tiers", "OMSD_FREE_CANCEL_HOURS",
        ] {
            #expect(help.stdout.contains(flag), "\(flag) missing from:\n\(help.stdout)")
        }
    }

    @Test(
        "omsd serve refuses bad policy values with a precise message and exit 64, before opening the data directory",
        arguments: [
            (["--free-cancel-hours", "-1"], [:], "--free-cancel-hours must be from 0 to 8760 hours, got -1"),
            (["--payment-deadline-hours", "0"], [:], "--payment-deadline-hours must be from 1 to 8760 hours, got 0"),
            (["--cancel-fee-bps", "10001"], [:], "--cancel-fee-bps must be from 0 to 10000 basis points, got 10001"),
            (
                ["--cancel-fee-bps", "100", "--cancel-fee-minor", "50"], [:],
                "give either --cancel-fee-bps (a share of the total) or --cancel-fee-minor (a fixed fee), not both"
            ),
            (
                ["--one-approval-from-minor", "500", "--two-approvals-from-minor", "300"], [:],
                "--two-approvals-from-minor (300) is below --one-approval-from-minor (500)"
            ),
            (["--loyalty-tiers", "gold=5000,silver"], [:], "'silver' is not"),
            (
                ["--one-approval-from-minor", "6000000"], [:],
                "the default of --two-approvals-from-minor (5000000) is below --one-approval-from-minor (6000000)"
            ),
            (
                [], ["OMSD_ONE_APPROVAL_FROM_MINOR": "900", "OMSD_TWO_APPROVALS_FROM_MINOR": "800"],
                "OMSD_TWO_APPROVALS_FROM_MINOR (800) is below OMSD_ONE_APPROVAL_FROM_MINOR (900)"
            ),
            ([], ["OMSD_AUTO_COMPLETE_DAYS": "seven"], "OMSD_AUTO_COMPLETE_DAYS must be a whole number, got 'seven'"),
            ([], ["OMSD_ABNORMAL_AMOUNT_MINOR": "-1"], "OMSD_ABNORMAL_AMOUNT_MINOR must not be negative, got -1"),
        ] as [([String], [String: String], String)])
    func rejected(arguments: [String], environment: [String: String], message: String) async throws {
        let workspace = try Workspace.make()
        defer { workspace.remove() }
        let result = try await ChildProcess.run(
            try locateOmsd(), ["serve", "--listen", "127.0.0.1:0", "--data-dir", workspace.path + "/data"] + arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }, directory: workspace.path,
            limit: .seconds(30))
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path + "/data"))
    }
}

/// An order created with the policy shows its payment deadline; cancelling it
/// right away costs `feeMinor`.
private func expectPolicy(
    _ omsd: some DaemonAddress, _ omsctl: Omsctl, orderID id: String, deadlineMillis: Int64, feeMinor: Int64
) async throws {
    let get = try await omsctl.run(["orders", "get", id, "-o", "json"] + omsd.flags)
    #expect(get.status == 0, "stderr: \(get.stderr)")
    let order = try #require(try parseJSON(get.stdout) as? [String: Any])
    let created = try #require(jsonInt64(order["createdAtMillis"]))
    #expect(jsonInt64(order["paymentDueAtMillis"]) == created + deadlineMillis)

    let cancel = try await omsctl.run(["orders", "cancel", id, "-o", "json"] + omsd.flags)
    #expect(cancel.status == 0, "stderr: \(cancel.stderr)")
    let result = try #require(try parseJSON(cancel.stdout) as? [String: Any])
    #expect((result["fee"] as? [String: Any]).flatMap { jsonInt64($0["amountMinor"]) } == feeMinor)
    let rule = try #require(result["feeRule"] as? String)
    #expect(rule.hasPrefix("fee:"), "rule: \(rule)")
    #expect(rule.contains("past the free window of 0 h"), "rule: \(rule)")
    let cancelled = try #require(result["order"] as? [String: Any])
    #expect((cancelled["totals"] as? [String: Any]).flatMap { jsonInt64($0["cancellationFeeMinor"]) } == feeMinor)
}

/// The flags omsctl needs to reach a daemon.
protocol DaemonAddress {
    var flags: [String] { get }
}

extension Daemon: DaemonAddress {}

/// omsd running as its own process (`omsd serve`), reached with --token-file.
struct ExternalDaemon: DaemonAddress {
    let address: String
    let tokenPath: String

    var flags: [String] { ["--address", address, "--token-file", tokenPath] }

    /// Polls `omsctl health` until omsd answers SERVING (at most 30 s).
    func waitUntilServing(_ omsctl: Omsctl) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let health = try await omsctl.run(["health", "--address", address, "--timeout", "1"])
            if health.status == 0 && FileManager.default.fileExists(atPath: tokenPath) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("omsd did not become SERVING at \(address) within 30 s")
    }

    /// SIGTERM to the omsd this test started (its pid from `pidFile`).
    func terminate(pidFile: String) {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return }
        _ = kill(pid, SIGTERM)
    }
}

/// The omsd executable next to the test executable (like omsctl).
func locateOmsd() throws -> String {
    let omsctl = try Omsctl.locate()
    let omsd = (omsctl as NSString).deletingLastPathComponent + "/omsd"
    guard FileManager.default.isExecutableFile(atPath: omsd) else {
        throw TestFailure("omsd is not next to omsctl (\(omsd)); build with `swift build --build-tests`")
    }
    return omsd
}

/// Like `withDaemon`, with `policy` in the daemon's config.
func withPolicyDaemon(_ policy: OrderPolicy, _ body: (Daemon, Omsctl) async throws -> Void) async throws {
    let workspace = try Workspace.make()
    defer { workspace.remove() }
    let directory = workspace.path + "/data"
    let daemon = try await OMSDaemon(
        config: .init(
            host: "127.0.0.1", port: 0, dataDirectory: directory, shutdownGracePeriod: .seconds(2),
            eventLoopThreads: 1, orderPolicy: policy),
        storage: Database.openStore, logger: Logger(label: "omsd-test", factory: { _ in SwiftLogNoOpLogHandler() }))
    do {
        let port = try await daemon.start()
        let token = try String(contentsOfFile: daemon.adminTokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await body(
            Daemon(daemon: daemon, port: port, token: token, dataDirectory: directory), try Omsctl(workspace: workspace)
        )
    } catch {
        await daemon.stop()
        throw error
    }
    await daemon.stop()
}
