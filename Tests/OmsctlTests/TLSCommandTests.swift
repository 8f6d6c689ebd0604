import Foundation
import Testing

/// omsctl against an omsd that serves TLS (fixtures in Tests/tls).
@Suite("omsctl over TLS")
struct TLSCommandTests {
    static func fixture(_ name: String) -> String {
        let file = "\(#filePath)"
        return "\(file[..<file.range(of: "/OmsctlTests/")!.lowerBound])/tls/\(name)"
    }

    @Test("--ca-file, $OMS_CA_FILE and the config file's ca_file connect; cleartext and an untrusted CA say what to do")
    func tls() async throws {
        let workspace = try Workspace.make()
        let omsd = try await Daemon.start(
            in: workspace, tlsFiles: (Self.fixture("server.pem"), Self.fixture("server.key")))
        defer { workspace.remove() }
        do {
            let omsctl = try Omsctl(workspace: workspace)
            let flags = ["--address", omsd.address, "--token", omsd.token]

            let health = try await omsctl.run(["health", "--ca-file", Self.fixture("ca.pem")] + flags)
            #expect(health.status == 0, "stderr: \(health.stderr)")
            #expect(health.stdout.contains("SERVING"))

            let viaEnvironment = try await omsctl.run(
                ["products", "list", "-o", "json"] + flags, environment: ["OMS_CA_FILE": Self.fixture("ca.pem")])
            #expect(viaEnvironment.status == 0, "stderr: \(viaEnvironment.stderr)")
            #expect(viaEnvironment.stdout == "[]\n")

            let config = try workspace.write(
                "address = \(omsd.address)\ntoken_file = data/admin.token\ntls = true\nca_file = \(Self.fixture("ca.pem"))\n",
                to: "tls.conf")
            let viaConfig = try await omsctl.run(["admin", "ping"], environment: ["OMSCTL_CONFIG": config])
            #expect(viaConfig.status == 0, "stderr: \(viaConfig.stderr)")

            let cleartext = try await omsctl.run(["admin", "ping"] + flags)
            #expect(cleartext.status == 3, "stdout: \(cleartext.stdout)")
            #expect(cleartext.stderr.contains("the server answered in TLS"), "stderr: \(cleartext.stderr)")
            #expect(cleartext.stderr.contains("--ca-file"), "stderr: \(cleartext.stderr)")

            let untrusted = try await omsctl.run(["admin", "ping", "--ca-file", Self.fixture("other-ca.pem")] + flags)
            #expect(untrusted.status == 3)
            #expect(untrusted.stderr.contains("certificate is not trusted"), "stderr: \(untrusted.stderr)")

            let missing = try await omsctl.run(["admin", "ping", "--ca-file", "/nonexistent/ca.pem"] + flags)
            #expect(missing.status == 2, "stderr: \(missing.stderr)")
            #expect(missing.stderr.contains("/nonexistent/ca.pem"), "stderr: \(missing.stderr)")
        } catch {
            await omsd.stop()
            throw error
        }
        await omsd.stop()
    }
}
