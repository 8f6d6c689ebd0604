import Foundation
import OMSCore
import OMSProto
import Testing

@Suite("Custom report definitions and runs")
struct ReportDefinitionTests {
    @Test("save, list, run over the last N days with selected metrics; runs are stored and evented; bad fields named")
    func defineAndRun() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: ReportSalesTests.start)
            try await ReportWorkload.run(f, seed: 3, steps: 200)
            let reports = Reports(store: f.store)
            let definition = Oms_V1_ReportDefinition.with {
                $0.id = "web-daily"
                $0.name = "Web by sku"
                $0.lastDays = 7
                $0.metrics = ["revenue_minor", "orders"]
                $0.sales = .with {
                    $0.dimension = .sku
                    $0.channels = ["web"]
                    $0.range = .with { $0.timeZone = "Europe/Berlin" }
                }
            }
            let saved = try await reports.saveDefinition(.with { $0.definition = definition }, actor: "ana")
            #expect(saved.created && saved.definition?.version == 1)
            let again = try await reports.saveDefinition(
                .with {
                    $0.definition = definition
                    $0.expectedVersion = 1
                }, actor: "ana")
            #expect(!again.created && again.definition?.version == 2)
            let stale = await domainError {
                _ = try await reports.saveDefinition(
                    .with {
                        $0.definition = definition
                        $0.expectedVersion = 1
                    }, actor: "ana")
            }
            #expect(stale?.kind == .aborted)
            #expect(try reports.definitions(.init()).definitions.map(\.id) == ["web-daily"])

            let before = f.store.events.lastPublishedSequence
            let run = try await reports.run(.with { $0.definitionID = "web-daily" }, actor: "ana").run!
            #expect(run.id.hasPrefix("run_"))
            #expect(run.definitionVersion == 2)
            // The last 7 whole days before "today" in Berlin, by brute force.
            let now = f.clock.nowMillis()
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
            let today = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(now) / 1000))
            let from = calendar.date(byAdding: .day, value: -7, to: today)!
            let to = calendar.date(byAdding: .day, value: -1, to: today)!
            let label = { (d: Date) in ReportWorkload.label(calendar.dateComponents([.year, .month, .day], from: d)) }
            #expect(run.range?.fromDate == label(from) && run.range?.toDate == label(to))
            var direct = try reports.sales(
                .with {
                    $0.dimension = .sku
                    $0.channels = ["web"]
                    $0.range = run.range!
                }
            ).rows
            #expect(!direct.isEmpty)
            for index in direct.indices {
                let keep = direct[index]
                direct[index] = .with {
                    $0.periodStart = keep.periodStart
                    $0.key = keep.key
                    $0.currencyCode = keep.currencyCode
                    $0.orders = keep.orders
                    $0.revenueMinor = keep.revenueMinor
                }
            }
            #expect(run.sales?.rows == direct)
            #expect(f.store.events.lastPublishedSequence > before)
            let second = try await reports.run(.with { $0.definitionID = "web-daily" }, actor: "bob").run!
            #expect(try reports.runs(.with { $0.definitionID = "web-daily" }).runs.map(\.id) == [second.id, run.id])

            func field(_ change: (inout Oms_V1_ReportDefinition) -> Void) async -> [String] {
                var bad = definition
                change(&bad)
                let error = await domainError {
                    _ = try await reports.saveDefinition(.with { $0.definition = bad }, actor: "ana")
                }
                return error?.violations.map(\.field) ?? []
            }
            #expect(await field { $0.metrics = ["revenue_minor", "profit"] } == ["definition.metrics[1]"])
            #expect(await field { $0.id = "bad id" } == ["definition.id"])
            #expect(await field { $0.lastDays = -1 } == ["definition.last_days"])
            #expect(await field { $0.sales.customerIds = ["C1"] } == ["definition.sales.customer_ids"])
            #expect(
                await field { $0.sales.range = .with { $0.timeZone = "Nowhere/City" } } == [
                    "definition.sales.range.time_zone"
                ])
            #expect(await field { $0.query = nil } == ["definition.query"])
            #expect(try reports.definitions(.init()).definitions.map(\.version) == [2])
            let missing = await domainError {
                _ = try await reports.run(.with { $0.definitionID = "nope" }, actor: "ana")
            }
            #expect(missing?.kind == .notFound)
            // Rollup rebuild ignores stored definitions and runs.
            #expect(try await reports.rebuildRollups(.init(), actor: "test").rowsDifferent == 0)
        }
    }
}

@Suite("Scheduled reports")
struct ReportScheduleTests {
    @Test("a daily schedule at 06:00 Berlin runs from durable due rows, also after a restart, and reschedules")
    func dailyScheduleSurvivesRestart() async throws {
        var template = Array("/tmp/omscore-schedule-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        defer { _ = system("rm -rf '\(directory)'") }
        let clock = ManualClock(millis: ReportSalesTests.start)  // 2026-03-01T00:00Z = 01:00 in Berlin
        var store = try OMSStore(path: directory + "/db", clock: clock)
        var reports = Reports(store: store)
        let saved = try await reports.saveDefinition(
            .with {
                $0.definition = .with {
                    $0.id = "daily"
                    $0.name = "Daily sales"
                    $0.lastDays = 1
                    $0.sales = .with { $0.range = .with { $0.timeZone = "Europe/Berlin" } }
                    $0.schedule = .with {
                        $0.frequency = .daily
                        $0.hour = 6
                        $0.timeZone = "Europe/Berlin"
                    }
                }
            }, actor: "ana")
        let firstDue: Int64 = ReportSalesTests.start + 5 * 3_600_000  // 06:00 CET = 05:00Z
        #expect(saved.definition?.nextRunAtMillis == firstDue)
        #expect(try await reports.fireDueSchedules() == 0)
        clock.set(millis: firstDue + 1000)
        #expect(try await reports.fireDueSchedules() == 1)
        #expect(try await reports.fireDueSchedules() == 0)
        var runs = try reports.runs(.with { $0.definitionID = "daily" }).runs
        #expect(runs.map(\.actor) == ["scheduler"])
        #expect(runs.first?.range?.fromDate == "2026-02-28" && runs.first?.range?.toDate == "2026-02-28")
        #expect(try reports.definitions(.init()).definitions.first?.nextRunAtMillis == firstDue + 86_400_000)

        // Restart: the next due row is durable; two days pass while "down".
        store.close()
        clock.set(millis: firstDue + 2 * 86_400_000 + 60_000)
        store = try OMSStore(path: directory + "/db", clock: clock)
        defer { store.close() }
        reports = Reports(store: store)
        #expect(try await reports.fireDueSchedules() == 1)  // the missed slot runs once, then the next future one
        runs = try reports.runs(.with { $0.definitionID = "daily" }).runs
        #expect(runs.count == 2)
        #expect(try reports.definitions(.init()).definitions.first?.nextRunAtMillis == firstDue + 3 * 86_400_000)
        let events = try store.events.events(after: 0, limit: 1000)
        #expect(events.filter { $0.type == "report.run" }.count == 2)

        // A weekly schedule: Monday 09:00 UTC; 2026-03-01 is a Sunday.
        let weekly = try await reports.saveDefinition(
            .with {
                $0.definition = .with {
                    $0.id = "weekly"
                    $0.name = "Weekly"
                    $0.fulfillment = .init()
                    $0.lastDays = 7
                    $0.schedule = .with {
                        $0.frequency = .weekly
                        $0.weekday = 1
                        $0.hour = 9
                    }
                }
            }, actor: "ana")
        let monday = Reports.nextRunForTesting(weekly.definition!.schedule!, after: ReportSalesTests.start)
        #expect(monday == ReportSalesTests.start + 33 * 3_600_000)
        let bad = await domainError {
            _ = try await reports.saveDefinition(
                .with {
                    $0.definition = .with {
                        $0.id = "bad"
                        $0.name = "Bad"
                        $0.fulfillment = .init()
                        $0.schedule = .with {
                            $0.frequency = .weekly
                            $0.weekday = 8
                            $0.hour = 24
                        }
                    }
                }, actor: "ana")
        }
        #expect(bad?.violations.map(\.field) == ["definition.schedule.hour", "definition.schedule.weekday"])
    }
}
