import ArgumentParser
import OMSClient

#if canImport(Glibc)
    import Glibc
#endif

/// `omsload`: the load generator of `make bench` for what h2load cannot do:
/// writes with a unique `request_id` per call, a mixed read/write workload,
/// bulk loading through ImportOrders and WatchEvents catch-up. Built on the
/// Swift SDK (OMSClient, one multiplexed HTTP/2 connection per `--connections`),
/// so its numbers also show what the SDK sustains. Prints one JSON object.
@main
struct OMSLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omsload",
        abstract: "Load generator for omsd benchmarks (prints one JSON object on stdout).",
        subcommands: [CreateOrders.self, Mixed.self, ImportOrders.self, WatchEvents.self])
}

struct Connection: ParsableArguments {
    @Option(help: "omsd address host:port") var address = "127.0.0.1:50051"
    @Option(help: "file holding the API token (admin.token)") var tokenFile: String
    @Option(help: "HTTP/2 connections the streams are spread over") var connections = 1

    func clients() throws -> [OMSClient] {
        guard let file = fopen(tokenFile, "r") else { throw ValidationError("cannot read \(tokenFile)") }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, 512, file) != nil else { throw ValidationError("\(tokenFile) is empty") }
        let token = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var options = OMSClient.Options()
        options.defaultTimeout = nil
        options.retry = .disabled
        return try (0..<max(1, connections)).map { _ in try OMSClient(address: address, token: token, options: options)
        }
    }
}

struct OrderShape: ParsableArguments {
    @Option(help: "customer of every order") var customer = "BENCH-LOAD"
    @Option(help: "sku of the single line (1 unit)") var sku = "BENCH-ORDER-SKU"
    @Option(help: "request_id prefix; each call gets <prefix>-<stream>-<n>") var prefix = "load"

    func request(_ requestID: String) -> Oms_V1_CreateOrderRequest {
        var request = Oms_V1_CreateOrderRequest()
        request.requestID = requestID
        request.order = .with {
            $0.customerID = customer
            $0.channel = "web"
            $0.currencyCode = "USD"
            $0.lines = [
                .with {
                    $0.sku = sku
                    $0.quantity = 1
                }
            ]
            $0.shippingAddress = .with {
                $0.name = "Ada Lovelace"
                $0.line1 = "1 Main St"
                $0.city = "London"
                $0.postalCode = "N1 9GU"
                $0.countryCode = "GB"
            }
        }
        return request
    }
}

func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Latencies of one kind of call, merged over all streams.
struct Samples: Sendable {
    var micros: [UInt32] = []
    var errors = 0
    var firstError: String?

    mutating func merge(_ other: Samples) {
        micros += other.micros
        errors += other.errors
        if firstError == nil { firstError = other.firstError }
    }

    func json(seconds: Double) -> String {
        let sorted = micros.sorted()
        func pct(_ fraction: Double) -> UInt32 {
            guard !sorted.isEmpty else { return 0 }
            let rank = max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
            return sorted[min(rank, sorted.count) - 1]
        }
        let error = firstError.map { ", \"first_error\": \(quoted($0))" } ?? ""
        return """
            {"requests": \(sorted.count), "errors": \(errors), "rps": \(Double(sorted.count) / seconds), \
            "p50_us": \(pct(0.5)), "p99_us": \(pct(0.99)), "p99_9_us": \(pct(0.999)), "max_us": \(sorted.last ?? 0)\(error)}
            """
    }
}

func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += " "
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// CreateOrder with a unique request_id per call from `--streams` concurrent callers for `--duration` seconds.
struct CreateOrders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-orders", abstract: "CreateOrder, unique request_id per call, closed loop per stream.")
    @OptionGroup var connection: Connection
    @OptionGroup var shape: OrderShape
    @Option(help: "concurrent calls") var streams = 64
    @Option(help: "seconds") var duration = 5.0

    func run() async throws {
        let clients = try connection.clients()
        let end = monotonicNanos() + UInt64(duration * 1e9)
        let start = monotonicNanos()
        let samples = await withTaskGroup(of: Samples.self) { group in
            for stream in 0..<streams {
                let client = clients[stream % clients.count]
                let shape = shape
                group.addTask {
                    var samples = Samples()
                    var n = 0
                    while monotonicNanos() < end {
                        let request = shape.request("\(shape.prefix)-\(stream)-\(n)")
                        n += 1
                        let t0 = monotonicNanos()
                        do {
                            _ = try await client.call(Oms_V1_OrderService.Method.createOrder, request)
                            samples.micros.append(UInt32(clamping: (monotonicNanos() - t0) / 1000))
                        } catch {
                            samples.errors += 1
                            if samples.firstError == nil { samples.firstError = "\(error)" }
                        }
                    }
                    return samples
                }
            }
            var all = Samples()
            for await part in group { all.merge(part) }
            return all
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        for client in clients { await client.close() }
        print(
            "{\"workload\": \"create-orders\", \"streams\": \(streams), \"seconds\": \(seconds), \"writes\": \(samples.json(seconds: seconds))}"
        )
    }
}

/// `--read-percent` GetOrder (random ids among the customer's orders listed at start plus those
/// written meanwhile) and the rest CreateOrder (unique request_id), closed loop per stream.
struct Mixed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed", abstract: "GetOrder / CreateOrder mix, unique request_ids, closed loop per stream.")
    @OptionGroup var connection: Connection
    @OptionGroup var shape: OrderShape
    @Option(help: "concurrent calls") var streams = 64
    @Option(help: "seconds") var duration = 30.0
    @Option(help: "percentage of reads") var readPercent = 80
    @Option(help: "order ids to read: the newest N of --customer (or of --seed-channel) at start") var seedOrders = 1000
    @Option(help: "read orders of this channel instead of --customer's") var seedChannel = ""

    func run() async throws {
        let clients = try connection.clients()
        let seed = try await clients[0].orders.list(
            customerID: seedChannel.isEmpty ? shape.customer : "", channel: seedChannel,
            pageSize: min(1000, seedOrders)
        ).items.map(\.id)
        guard !seed.isEmpty else { throw ValidationError("\(shape.customer) has no orders to read") }
        let end = monotonicNanos() + UInt64(duration * 1e9)
        let start = monotonicNanos()
        let readPercent = readPercent
        let (reads, writes) = await withTaskGroup(of: (Samples, Samples).self) { group in
            for stream in 0..<streams {
                let client = clients[stream % clients.count]
                let shape = shape
                group.addTask {
                    var reads = Samples()
                    var writes = Samples()
                    var ids = seed
                    var generator = SystemRandomNumberGenerator()
                    var n = 0
                    while monotonicNanos() < end {
                        let isRead = Int.random(in: 0..<100, using: &generator) < readPercent
                        let t0 = monotonicNanos()
                        do {
                            if isRead {
                                let id = ids[Int.random(in: 0..<ids.count, using: &generator)]
                                let order = try await client.orders.get(id: id)
                                guard order.id == id else {
                                    throw ValidationError("GetOrder \(id) returned \(order.id)")
                                }
                                reads.micros.append(UInt32(clamping: (monotonicNanos() - t0) / 1000))
                            } else {
                                let request = shape.request("\(shape.prefix)-\(stream)-\(n)")
                                n += 1
                                let response = try await client.call(Oms_V1_OrderService.Method.createOrder, request)
                                writes.micros.append(UInt32(clamping: (monotonicNanos() - t0) / 1000))
                                if let id = response.order?.id { ids.append(id) }
                            }
                        } catch {
                            if isRead {
                                reads.errors += 1
                                if reads.firstError == nil { reads.firstError = "\(error)" }
                            } else {
                                writes.errors += 1
                                if writes.firstError == nil { writes.firstError = "\(error)" }
                            }
                        }
                    }
                    return (reads, writes)
                }
            }
            var reads = Samples()
            var writes = Samples()
            for await (r, w) in group {
                reads.merge(r)
                writes.merge(w)
            }
            return (reads, writes)
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        for client in clients { await client.close() }
        print(
            "{\"workload\": \"mixed\", \"streams\": \(streams), \"read_percent\": \(readPercent), \"seconds\": \(seconds), "
                + "\"reads\": \(reads.json(seconds: seconds)), \"writes\": \(writes.json(seconds: seconds))}")
    }
}

/// Streams `--count` orders (unique request_ids) through ImportOrders in one call.
///
/// With `--days N` the orders are historical: spread evenly over the N whole
/// UTC days before today and sent oldest first, as a migration imports its
/// history (and as the rollup rows of one half hour are then written by
/// consecutive orders; a round-robin over the days made every order touch
/// cold rows and cost ~40 % more at 1M). A load stopped early by
/// `--max-seconds` covers the first days only. Customers
/// (`<customer>-<i mod --customers>`), channels and currencies (every 5th
/// order EUR) rotate; quantities and explicit unit prices vary. The expected
/// SalesReport totals per channel and currency, and the number of distinct
/// day × customer × currency groups (the rows of a CSV export by day ×
/// customer), are computed from the rows actually sent and printed with the
/// result, so the bench checks the reports against them.
struct ImportOrders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-orders", abstract: "Bulk-load orders with one ImportOrders call.")
    @OptionGroup var connection: Connection
    @OptionGroup var shape: OrderShape
    @Option(help: "orders to import") var count = 1_000_000
    @Option(help: "place the orders over the N whole UTC days before today (0: now, one customer and channel)")
    var days = 0
    @Option(help: "with --days: customers the orders rotate over") var customers = 50_000
    @Option(help: "with --days: channels the orders rotate over (comma-separated)")
    var channels = "web,marketplace,phone,erp"
    @Option(help: "stop sending rows after this many seconds (0: no limit); prints how many were sent")
    var maxSeconds = 0.0

    func run() async throws {
        let client = try connection.clients()[0]
        let plan = HistoricalPlan(
            shape: shape, count: count, days: days, customers: max(1, customers),
            channels: channels.split(separator: ",").map(String.init), todayStartMillis: HistoricalPlan.todayStart())
        // Generated as the SDK pulls them (flow control paces it): nothing is buffered.
        let start = monotonicNanos()
        let stopAt = maxSeconds > 0 ? start + UInt64(maxSeconds * 1e9) : UInt64.max
        let rows = GeneratedRows(plan: plan, stopAt: stopAt)
        let summary = try await client.orders.importOrders(rows)
        let seconds = Double(monotonicNanos() - start) / 1e9
        await client.close()
        let failure =
            summary.failures.first.map { ", \"first_failure\": \(quoted("row \($0.index): \($0.message)"))" } ?? ""
        let expected = days > 0 ? ", " + plan.expectedJSON(sent: Int(summary.received)) : ""
        print(
            "{\"workload\": \"import-orders\", \"seconds\": \(seconds), \"received\": \(summary.received), "
                + "\"created\": \(summary.created), \"failed\": \(summary.failed), \"rows_per_s\": \(Double(summary.created) / seconds), "
                + "\"stopped_early\": \(Int(summary.received) < count), "
                + "\"first_order_id\": \(quoted(summary.firstOrderID)), \"last_order_id\": \(quoted(summary.lastOrderID))\(failure)\(expected)}"
        )
    }
}

/// What order `index` of an import looks like: a pure function of the index,
/// so the totals can be recomputed for however many rows were sent.
struct HistoricalPlan: Sendable {
    static let dayMillis: Int64 = 86_400_000
    let shape: OrderShape
    let count: Int
    let days: Int
    let customers: Int
    let channels: [String]
    let todayStartMillis: Int64

    static func todayStart() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) / 86_400 * dayMillis
    }

    struct Row {
        var day: Int
        var createdAtMillis: Int64
        var customer: Int
        var channel: Int
        var euro: Bool
        var quantity: Int64
        var unitPriceMinor: Int64
    }

    func row(_ index: Int) -> Row {
        let perDay = max(1, (count + days - 1) / days)
        let step = Self.dayMillis / Int64(perDay)
        let day = min(index / perDay, days - 1)
        let created =
            todayStartMillis - Int64(days - day) * Self.dayMillis + Int64(index - day * perDay) * step + step / 2
        let hash = Self.mix(UInt64(index))
        return Row(
            day: day, createdAtMillis: created, customer: Int(hash % UInt64(customers)),
            channel: Int((hash >> 20) % UInt64(channels.count)), euro: (hash >> 40) % 5 == 0,
            quantity: Int64(1 + (hash >> 50) % 3), unitPriceMinor: Int64(500 + (hash >> 8) % 5000))
    }

    /// SplitMix64's finalizer: a reproducible pseudo-random value per index.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func request(_ index: Int) -> Oms_V1_CreateOrderRequest {
        var request = shape.request("\(shape.prefix)-\(index)")
        guard days > 0 else { return request }
        let row = row(index)
        let currency = row.euro ? "EUR" : "USD"
        request.order!.customerID = "\(shape.customer)-\(row.customer)"
        request.order!.channel = channels[row.channel]
        request.order!.currencyCode = currency
        request.order!.createdAtMillis = row.createdAtMillis
        request.order!.lines = [
            .with {
                $0.sku = shape.sku
                $0.quantity = row.quantity
                $0.unitPrice = .with {
                    $0.currencyCode = currency
                    $0.amountMinor = row.unitPriceMinor
                }
            }
        ]
        return request
    }

    /// `"expected": {...}`: the report range, SalesReport totals per channel
    /// and currency, units, and the day × customer × currency groups.
    func expectedJSON(sent: Int) -> String {
        struct Totals { var orders: Int64 = 0, units: Int64 = 0, revenue: Int64 = 0 }
        var totals: [String: Totals] = [:]
        var groups = Set<Int64>()
        var units: Int64 = 0
        for index in 0..<sent {
            let row = row(index)
            let key = "\(channels[row.channel])/\(row.euro ? "EUR" : "USD")"
            totals[key, default: Totals()].orders += 1
            totals[key, default: Totals()].units += row.quantity
            totals[key, default: Totals()].revenue += row.quantity * row.unitPriceMinor
            units += row.quantity
            groups.insert((Int64(row.day) * Int64(customers) + Int64(row.customer)) * 2 + (row.euro ? 1 : 0))
        }
        let first = todayStartMillis - Int64(days) * Self.dayMillis
        let byKey = totals.keys.sorted().map { key in
            let t = totals[key]!
            return "\(quoted(key)): {\"orders\": \(t.orders), \"units\": \(t.units), \"revenue_minor\": \(t.revenue)}"
        }.joined(separator: ", ")
        return """
            "expected": {"from_millis": \(first), "to_millis": \(todayStartMillis - 1), "days": \(days), \
            "customers": \(customers), "units": \(units), "by_channel_currency": {\(byKey)}, \
            "day_customer_currency_groups": \(groups.count)}
            """
    }
}

/// The plan's rows with request_ids `<prefix>-<n>`, made on demand, until `stopAt` (monotonic ns).
struct GeneratedRows: AsyncSequence, Sendable {
    typealias Element = Oms_V1_CreateOrderRequest
    let plan: HistoricalPlan
    let stopAt: UInt64

    struct AsyncIterator: AsyncIteratorProtocol {
        let plan: HistoricalPlan
        let stopAt: UInt64
        var index = 0

        mutating func next() async -> Oms_V1_CreateOrderRequest? {
            guard index < plan.count, stopAt == .max || monotonicNanos() < stopAt else { return nil }
            defer { index += 1 }
            return plan.request(index)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(plan: plan, stopAt: stopAt) }
}

/// WatchEvents from `--after` until `--count` events arrived (the stored history: catch-up).
struct WatchEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch-events", abstract: "WatchEvents catch-up: events/s until --count events arrived.")
    @OptionGroup var connection: Connection
    @Option(help: "resume after this sequence") var after: UInt64 = 0
    @Option(help: "stop after this many events") var count = 1_000_000

    func run() async throws {
        let client = try connection.clients()[0]
        let start = monotonicNanos()
        var received = 0
        var last: UInt64 = after
        var ordered = true
        let task = Task {
            var received = 0
            var last = after
            var ordered = true
            for try await event in client.events.watch(after: after) {
                if event.sequence <= last { ordered = false }
                last = event.sequence
                received += 1
                if received == count { break }
            }
            return (received, last, ordered)
        }
        (received, last, ordered) = try await task.value
        let seconds = Double(monotonicNanos() - start) / 1e9
        await client.close()
        print(
            "{\"workload\": \"watch-events\", \"seconds\": \(seconds), \"events\": \(received), "
                + "\"events_per_s\": \(Double(received) / seconds), \"last_sequence\": \(last), \"in_order\": \(ordered)}"
        )
    }
}
