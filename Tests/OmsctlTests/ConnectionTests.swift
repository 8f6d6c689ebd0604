import Foundation
import Testing

/// Where omsctl takes the address and token from, without flags.
@Suite("omsctl connection settings")
struct ConnectionTests {
    @Test("OMS_ADDRESS and OMS_TOKEN work without flags; flags win over them")
    func environment() async throws {
        try await withDaemon { omsd, omsctl in
            let env = ["OMS_ADDRESS": omsd.address, "OMS_TOKEN": omsd.token]
            let ping = try await omsctl.run(["admin", "ping"], environment: env)
            #expect(ping.status == 0, "stderr: \(ping.stderr)")
            #expect(ping.stdout.hasPrefix("pong from \(omsd.address)"))

            let port = try closedPort()
            let overridden = try await omsctl.run(
                ["admin", "ping", "--address", omsd.address],
                environment: ["OMS_ADDRESS": "127.0.0.1:\(port)", "OMS_TOKEN": omsd.token])
            #expect(overridden.status == 0, "stderr: \(overridden.stderr)")

            let wrong = try await omsctl.run(
                ["admin", "ping"], environment: ["OMS_ADDRESS": omsd.address, "OMS_TOKEN": "x"])
            #expect(wrong.status == 4)
            #expect(wrong.stderr.contains("from $OMS_TOKEN"))
        }
    }

    @Test("--token-file reads the token from a file")
    func tokenFile() async throws {
        try await withDaemon { omsd, omsctl in
            let info = try await omsctl.run(
                ["admin", "info", "-o", "json", "--address", omsd.address, "--token-file", omsd.tokenPath])
            #expect(info.status == 0, "stderr: \(info.stderr)")
            #expect((try parseJSON(info.stdout) as? [String: Any])?["listenAddress"] as? String == omsd.address)

            let missing = try await omsctl.run(
                ["admin", "info", "--address", omsd.address, "--token-file", omsctl.workspace.path + "/nope.token"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("cannot read the token file"))
        }
    }

    @Test("a config file in $OMSCTL_CONFIG gives address and token_file (relative to the file)")
    func configFile() async throws {
        try await withDaemon { omsd, omsctl in
            // The daemon's data dir is <workspace>/data, so the token is data/admin.token next to the config.
            let config = try omsctl.workspace.write(
                """
                # omsctl settings for the test
                address = \(omsd.address)
                token_file = data/admin.token
                """, to: "omsctl.conf")
            let ping = try await omsctl.run(["admin", "ping"], environment: ["OMSCTL_CONFIG": config])
            #expect(ping.status == 0, "stderr: \(ping.stderr)")
            #expect(ping.stdout.hasPrefix("pong from \(omsd.address)"))

            let inline = try omsctl.workspace.write(
                "address = \"\(omsd.address)\"\ntoken = \(omsd.token)\ncolour = blue\n", to: "inline.conf")
            let list = try await omsctl.run(["products", "list", "-o", "json"], environment: ["OMSCTL_CONFIG": inline])
            #expect(list.status == 0, "stderr: \(list.stderr)")
            #expect(list.stdout == "[]\n")
            #expect(list.stderr.contains("unknown key 'colour'"))
        }
    }

    @Test("the default config file is ~/.config/omsctl/config")
    func defaultConfigFile() async throws {
        try await withDaemon { omsd, omsctl in
            let folder = omsctl.workspace.home + "/.config/omsctl"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "address = \(omsd.address)\ntoken = \(omsd.token)\n".write(
                toFile: folder + "/config", atomically: true, encoding: .utf8)
            let ping = try await omsctl.run(["admin", "ping"])
            #expect(ping.status == 0, "stderr: \(ping.stderr)")
        }
    }
}
