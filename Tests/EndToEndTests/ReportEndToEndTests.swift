import Foundation
import OMSClient
import OMSCore
import OMSProto
import Testing

@Suite("Reports through the Swift SDK")
struct ReportEndToEndTests {
    static func today(offsetDays: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .day, value: offsetDays, to: Date())!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Three orders today: two USD on web (one cancelled), one EUR on phone.
    static func seed(_ client: OMSClient) async throws {
        _ = try await client.catalog.upsertProduct(
            .with {
                $0.sku = "RPT-1"
                $0.name = "Lamp, \"desk\""
                $0.unitPrice = .with {
                    $0.currencyCode = "USD"
                    $0.amountMinor = 1999
                }
            })
        _ = try await client.inventory.createWarehouse(code: "DC1", name: "DC 1", priority: 1)
        _ = try await client.inventory.adjustStock(sku: "RPT-1", warehouse: "DC1", delta: 50, reason: "receipt")
        func order(_ channel: String, _ currency: String, _ quantity: Int64) async throws -> Oms_V1_Order {
            try await client.orders.create(
                .with {
                    $0.channel = channel
                    $0.currencyCode = currency
                    $0.lines = [
                        .with {
                            $0.sku = "RPT-1"
                            $0.quantity = quantity
                            if currency != "USD" {
                                $0.unitPrice = .with {
                                    $0.currencyCode = currency
                                    $0.amountMinor = 1500
                                }
                            }
                        }
                    ]
                })
        }
        _ = try await order("web", "USD", 2)
        let cancelled = try await order("web", "USD", 1)
        _ = try await client.orders.cancel(id: cancelled.id)
        _ = try await order("phone", "EUR", 3)
    }

    var range: Oms_V1_ReportRange {
        .with {
            $0.fromDate = Self.today(offsetDays: -1)
            $0.toDate = Self.today(offsetDays: 1)
        }
    }

    @Test("sales and fulfilment reports, export as CSV and XLSX (audited), rebuild, and a precise error")
    func reportsOverTheWire() async throws {
        try await withDaemon { omsd in
            let client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
            do {
                try await Self.seed(client)
                let sales = try await client.reports.sales(
                    .with {
                        $0.range = range
                        $0.period = .total
                        $0.dimension = .channel
                    })
                #expect(sales.rows.map { [$0.key, $0.currencyCode] } == [["phone", "EUR"], ["web", "USD"]])
                let web = try #require(sales.rows.last)
                #expect(web.orders == 1)
                #expect(web.cancelledOrders == 1)
                #expect(web.units == 2)
                #expect(web.revenueMinor == 3998)
                #expect(web.averageOrderValueMinor == 3998)
                #expect(sales.rows.first?.revenueMinor == 4500)

                let fulfilment = try await client.reports.fulfillment(.with { $0.range = range })
                #expect(fulfilment.rows.map(\.orders) == [3])
                #expect(fulfilment.rows.first?.exceptions.map(\.reason) == ["incomplete"])

                // CSV export: chunks concatenate to RFC 4180 text with the quoted sku name... and typed header.
                var csv: [UInt8] = []
                var last: Oms_V1_ExportReportChunk?
                for try await chunk in client.reports.export(
                    .with {
                        $0.format = .csv
                        $0.sales = .with {
                            $0.range = range
                            $0.period = .day
                            $0.dimension = .sku
                        }
                    })
                {
                    if csv.isEmpty { #expect(chunk.contentType == "text/csv") }
                    csv += chunk.data
                    last = chunk
                }
                #expect(last?.last == true)
                #expect(last?.rows == 2)
                let text = String(decoding: csv, as: UTF8.self)
                let lines = text.components(separatedBy: "\r\n")
                #expect(lines.first?.hasPrefix("period_start,key,currency_code,orders,units,revenue_minor") == true)
                #expect(lines.count == 4 && lines[3] == "")
                #expect(lines.contains { $0.hasSuffix(",RPT-1,USD,1,2,3998,3998,0,0,0,0,1") })

                var xlsx: [UInt8] = []
                for try await chunk in client.reports.export(
                    .with {
                        $0.format = .xlsx
                        $0.fulfillment = .with { $0.range = range }
                    })
                {
                    xlsx += chunk.data
                }
                #expect(xlsx.starts(with: [0x50, 0x4B, 0x03, 0x04]))
                #expect(Array(xlsx.suffix(22).prefix(4)) == [0x50, 0x4B, 0x05, 0x06])

                let audit = try AuditLog.records(
                    in: omsd.daemon.store.database, families: omsd.daemon.store.families, fromMillis: 0, limit: 10_000)
                let exports = audit.filter { $0.method == "/oms.v1.ReportService/ExportReport" }
                #expect(
                    exports.map(\.resourceID).map { $0.hasPrefix("sales ") && $0.hasSuffix(" csv") } == [true, false])
                #expect(exports.last?.resourceID.hasSuffix(" xlsx") == true)
                #expect(exports.allSatisfy { $0.actor == "admin" })

                let rebuild = try await client.reports.rebuildRollups()
                #expect(rebuild.ordersScanned == 3)
                #expect(rebuild.rowsDifferent == 0)

                do {
                    _ = try await client.reports.sales(
                        .with {
                            $0.range = .with {
                                $0.fromDate = "2026-01-01"
                                $0.toDate = "2026-01-31"
                                $0.timeZone = "Asia/Kathmandu"
                            }
                        })
                    Issue.record("a zone with a 45-minute offset was accepted")
                } catch let error as OMSError {
                    #expect(error.code == .invalidArgument)
                    #expect(error.fieldViolations.map(\.field) == ["range.time_zone"])
                }
                do {
                    for try await _ in client.reports.export(.with { $0.format = .xlsx }) {}
                    Issue.record("an export without a report was accepted")
                } catch let error as OMSError {
                    #expect(error.code == .invalidArgument)
                    #expect(error.fieldViolations.map(\.field) == ["report"])
                }
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }
}
