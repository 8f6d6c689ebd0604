import Foundation
import OMSClient
import OMSCore
import OMSProto
import Testing

@Suite("Scheduled reports in omsd")
struct ReportScheduleEndToEndTests {
    /// Polls `body` (real time) until it returns true or `seconds` pass:
    /// generous, since with every suite running at once on 2 cores the
    /// daemon's 1 s schedule poll was once seen to run 10 s late.
    static func eventually(seconds: Double = 30, _ body: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await body() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test(
        "the daemon runs a daily schedule when its clock passes the hour, announces it, and keeps it across a restart")
    func scheduleRunsInDaemon() async throws {
        let clock = ManualClock(millis: 1_772_323_200_000)  // 2026-03-01T00:00Z
        let directory = makeTemporaryDirectory()
        var omsd = try await DaemonHarness.start(dataDirectory: directory, clock: clock)
        var client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
        do {
            let (definition, created) = try await client.reports.saveDefinition(
                .with {
                    $0.id = "nightly"
                    $0.name = "Nightly"
                    $0.lastDays = 1
                    $0.sales = .init()
                    $0.schedule = .with {
                        $0.frequency = .daily
                        $0.hour = 2
                    }
                })
            #expect(created)
            #expect(definition.nextRunAtMillis == 1_772_323_200_000 + 2 * 3_600_000)
            clock.advance(millis: 2 * 3_600_000 + 1)
            #expect(
                try await Self.eventually { try await client.reports.runs(definitionID: "nightly").items.count == 1 })
            var types: [String] = []
            for try await event in client.events.watch(after: 0, typePrefixes: ["report."]) {
                types.append(event.type)
                if event.type == "report.run" { break }
            }
            #expect(types == ["report.definition_saved", "report.run"])

            // Restart on the same data: the next slot is still scheduled.
            await client.close()
            await omsd.stop(removeData: false)
            clock.advance(millis: 86_400_000)
            omsd = try await DaemonHarness.start(dataDirectory: directory, clock: clock)
            client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
            #expect(
                try await Self.eventually { try await client.reports.runs(definitionID: "nightly").items.count == 2 })
            let runs = try await client.reports.runs(definitionID: "nightly").items
            #expect(runs.map(\.actor) == ["scheduler", "scheduler"])
            #expect(runs.first?.range?.fromDate == "2026-03-01")
        } catch {
            await client.close()
            await omsd.stop()
            throw error
        }
        await client.close()
        await omsd.stop()
    }
}
