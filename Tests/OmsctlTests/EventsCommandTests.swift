import Foundation
import Testing

@Suite("omsctl events")
struct EventsCommandTests {
    @Test("events watch prints history in order, resumes after a sequence, and stops at --limit")
    func watch() async throws {
        try await withDaemon { omsd, omsctl in
            try await omsd.seed(["EV-A", "EV-B", "EV-C"].map { product($0) })

            let json = try await omsctl.run(["events", "watch", "--limit", "3", "-o", "json"] + omsd.flags)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let events = try json.stdout.split(separator: "\n").map {
                try #require(try parseJSON(String($0)) as? [String: Any])
            }
            #expect(events.map { $0["sequence"] as? Int } == [1, 2, 3])
            #expect(Set(events.compactMap { $0["resourceId"] as? String }) == ["EV-A", "EV-B", "EV-C"])
            #expect(events.allSatisfy { $0["type"] as? String == "product.created" })

            let resumed = try await omsctl.run(
                ["events", "watch", "--after", "2", "--limit", "1", "-o", "csv"] + omsd.flags)
            #expect(resumed.status == 0)
            let rows = resumed.stdout.split(separator: "\r\n")
            #expect(rows.first == "sequence,occurredAtMillis,type,resourceType,resourceId,actor,requestId")
            #expect(rows.count == 2)
            #expect(rows.last?.hasPrefix("3,") == true)

            let table = try await omsctl.run(["events", "watch", "--limit", "2"] + omsd.flags)
            #expect(table.status == 0)
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("SEQ") == true)
            for line in lines { #expect(line.count <= 80, "\(line)") }
        }
    }

    @Test("events watch exits 3 when omsd stops; with --follow it reconnects and goes on after the last event")
    func followAcrossRestarts() async throws {
        let workspace = try Workspace.make()
        defer { workspace.remove() }
        let omsctl = try Omsctl(workspace: workspace)
        let first = try await Daemon.start(in: workspace)
        try await first.seed([product("FOLLOW-1")])

        let plain = Task { try await omsctl.run(["events", "watch"] + first.flags) }
        try await Task.sleep(for: .seconds(1))
        await first.stop()
        let ended = try await plain.value
        #expect(ended.status == 3, "stdout: \(ended.stdout) stderr: \(ended.stderr)")
        #expect(ended.stdout.contains("product.created"))

        let second = try await Daemon.start(in: workspace, port: first.port)
        let following = Task {
            try await omsctl.run(["events", "watch", "--follow", "--limit", "2", "-o", "csv"] + second.flags)
        }
        try await Task.sleep(for: .seconds(1))
        await second.stop()
        let third = try await Daemon.start(in: workspace, port: first.port)
        try await third.seed([product("FOLLOW-2")])
        let followed = try await following.value
        await third.stop()
        #expect(followed.status == 0, "stderr: \(followed.stderr)")
        let rows = followed.stdout.split(separator: "\r\n").dropFirst()
        #expect(rows.map { $0.split(separator: ",").first.map(String.init) } == ["1", "2"])
        #expect(rows.last?.contains("FOLLOW-2") == true)
    }
}
