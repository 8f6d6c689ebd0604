"""`make bench`, reports rows (issue 6): SalesReport by day x channel over 90
days and a CSV export by day x customer, through gRPC against a running omsd,
on orders bulk-loaded with historical placement times.

The orders come from omsload's `import-orders --days 90` (ImportOrders keeps a
row's order.created_at_millis), which also prints what the reports must say:
orders, units and revenue per channel and currency, and the number of
day x customer x currency groups. The 1M-order database is the one the scale
rows loaded; the 10k one is a separate small omsd loaded the same way.

  - SalesReport{period DAY, dimension CHANNEL, the 90 days, UTC}: h2load,
    one connection, one stream, `--report-calls` calls in a row (so each
    latency is one call, client overhead in C and small); median and p90 from
    h2load's request log. The same report in America/New_York (it reads the
    half-hour rows) with a quarter of the calls. grpcio then checks one reply
    against the import: every channel x currency row summed over the days
    equals what omsload sent, and no other rows (in New York, whose days cut
    the first UTC day, at most what omsload sent; one day less, since New
    York's last day would end inside today, among the orders other rows
    create).
  - ExportReport{CSV, sales by day x customer, the same 90 days}: grpcio reads
    the stream, counts the data lines (must equal the last chunk's `rows` and
    the groups omsload computed), while a thread samples omsd's VmRSS: the
    row shows the rows/s, MB and the RSS growth.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from pathlib import Path

SALES_REPORT_PATH = "/oms.v1.ReportService/SalesReport"
TARGET_MS = 50.0
TARGET_RATIO = 1.5


def log(message: str) -> None:
    import sys

    print(f"bench: {message}", file=sys.stderr, flush=True)


def percentile(values: list[int], fraction: float) -> int:
    if not values:
        return 0
    values = sorted(values)
    rank = max(1, int(-(-fraction * len(values) // 1)))
    return values[min(rank, len(values)) - 1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def date_range(expected: dict) -> tuple[str, str]:
    """The import's whole UTC days as SalesReport's from_date / to_date (inclusive)."""
    first = dt.datetime.fromtimestamp(expected["from_millis"] / 1000, dt.timezone.utc).date()
    last = dt.datetime.fromtimestamp(expected["to_millis"] / 1000, dt.timezone.utc).date()
    return first.isoformat(), last.isoformat()


def sales_request(stubs, expected: dict, zone: str = "UTC"):
    rep = stubs.reports_pb2
    first, last = date_range(expected)
    if zone != "UTC":
        # The import's last UTC day ends at today's UTC midnight; the same date in a zone west of UTC
        # ends hours later, inside today, where the orders other rows create live would count. One day
        # less keeps the zone's range within the import.
        last = (dt.date.fromisoformat(last) - dt.timedelta(days=1)).isoformat()
    return rep.SalesReportRequest(range=rep.ReportRange(from_date=first, to_date=last, time_zone=zone),
                                  period=rep.REPORT_PERIOD_DAY, dimension=rep.SALES_DIMENSION_CHANNEL)


def h2load_calls(server, body: bytes, calls: int, workdir: Path, tag: str, pin: list[str]) -> dict:
    """`calls` sequential SalesReport calls (-c 1 -m 1); latencies (µs) from the request log."""
    body_file, log_file = workdir / f"{tag}.req", workdir / f"h2load-{tag}.log"
    body_file.write_bytes(b"\x00" + len(body).to_bytes(4, "big") + body)
    cmd = [*pin, "h2load", "-n", str(calls), "-c", "1", "-m", "1", "-t", "1",
           "-H", "te: trailers", "-H", "content-type: application/grpc",
           "-H", f"authorization: Bearer {server.token}", "-d", str(body_file), "--log-file", str(log_file),
           f"http://{server.address}{SALES_REPORT_PATH}"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + calls * 2)
    if result.returncode != 0:
        raise RuntimeError(f"h2load SalesReport failed (exit {result.returncode}): {result.stdout[-1500:]}")
    latencies = []
    for line in log_file.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "200":
            latencies.append(int(parts[2]))
    if len(latencies) != calls:
        raise RuntimeError(f"h2load SalesReport: {len(latencies)} of {calls} calls answered 200")
    return {"calls": calls, "median_us": percentile(latencies, 0.5), "p90_us": percentile(latencies, 0.9),
            "min_us": min(latencies)}


def check_sales(reply, expected: dict, exact: bool = True) -> str | None:
    """Every channel x currency of the reply, summed over the days, equals the import (`exact`), or,
    in a zone off UTC whose days cut the import's first UTC day, is at most the import."""
    got: dict[str, dict] = {}
    for row in reply.rows:
        key = f"{row.key}/{row.currency_code}"
        totals = got.setdefault(key, {"orders": 0, "units": 0, "revenue_minor": 0})
        totals["orders"] += row.orders
        totals["units"] += row.units
        totals["revenue_minor"] += row.revenue_minor
        if row.cancelled_orders:
            return f"{row.cancelled_orders} cancelled orders on {row.period_start} {key}"
    want = expected["by_channel_currency"]
    if exact and got != want:
        return f"SalesReport totals {got} differ from the import's {want}"
    if not exact and any(key not in want or any(v > want[key][k] for k, v in t.items()) for key, t in got.items()):
        return f"SalesReport totals {got} exceed the import's {want}"
    return None


def sales_rows(stubs, server, expected: dict, orders: int, calls: int, workdir: Path, pin: list[str]) -> list[dict]:
    """SalesReport day x channel (UTC, then America/New_York) at `orders` orders, checked against the import."""
    import grpc

    label = f"{orders:,} orders"
    rows = []
    auth = (("authorization", f"Bearer {server.token}"),)
    with grpc.insecure_channel(server.address) as channel:
        stub = stubs.reports_pb2_grpc.ReportServiceStub(channel)
        for zone, n in (("UTC", calls), ("America/New_York", max(10, calls // 4))):
            request = sales_request(stubs, expected, zone)
            reply = stub.SalesReport(request, metadata=auth, timeout=60)
            problem = check_sales(reply, expected, exact=zone == "UTC")
            timing = h2load_calls(server, request.SerializeToString(), n, workdir,
                                  f"sales-{orders}-{zone.replace('/', '-')}", pin)
            first, last = request.range.from_date, request.range.to_date
            days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
            row = {"kind": "report", "workload": f"SalesReport day x channel, {days} days {zone}, {label}",
                   "server": "omsd", "load": f"h2load -c 1 -m 1, {n} calls",
                   "p50_us": timing["median_us"], "p90_us": timing["p90_us"], "min_us": timing["min_us"],
                   "rps": 1e6 / timing["median_us"] if timing["median_us"] else None, "unit": "calls/s",
                   "calls": n, "orders_in_db": orders, "zone": zone, "from_date": first, "to_date": last,
                   "report_rows": len(reply.rows), "rollup_rows_read": reply.rollup_rows_read,
                   "orders_in_report": sum(r.orders for r in reply.rows),
                   "revenue_in_report": sum(r.revenue_minor for r in reply.rows),
                   "writes_verified": problem is None}
            if problem:
                row["verification_error"] = f"{row['workload']}: {problem}"
            rows.append(row)
    return rows


def export_row(stubs, server, expected: dict, orders: int) -> dict:
    """ExportReport CSV by day x customer over the import's days: rows counted, omsd's RSS sampled."""
    import grpc

    rep = stubs.reports_pb2
    first, last = date_range(expected)
    request = rep.ExportReportRequest(format=rep.EXPORT_FORMAT_CSV, sales=rep.SalesReportRequest(
        range=rep.ReportRange(from_date=first, to_date=last, time_zone="UTC"),
        period=rep.REPORT_PERIOD_DAY, dimension=rep.SALES_DIMENSION_CUSTOMER))
    pid = server.process.pid
    rss_before = rss_mb(pid)
    peak = [rss_before]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    auth = (("authorization", f"Bearer {server.token}"),)
    lines, data_bytes, chunks, reported = 0, 0, 0, None
    sampler.start()
    started = time.monotonic()
    try:
        with grpc.insecure_channel(server.address, options=[("grpc.max_receive_message_length", 16 << 20)]) as channel:
            stub = stubs.reports_pb2_grpc.ReportServiceStub(channel)
            for chunk in stub.ExportReport(request, metadata=auth, timeout=300):
                chunks += 1
                data_bytes += len(chunk.data)
                lines += chunk.data.count(b"\n")
                if chunk.last:
                    reported = chunk.rows
    finally:
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
    peak[0] = max(peak[0], rss_mb(pid))
    data_rows = lines - 1  # the header line
    want = expected["day_customer_currency_groups"]
    problem = None
    if not (data_rows == reported == want):
        problem = f"{data_rows} CSV data lines, the last chunk says {reported}, the import has {want} groups"
    row = {"kind": "report", "workload": f"ExportReport CSV day x customer, 90 days, {orders:,} orders",
           "server": "omsd", "load": "grpcio, 1 stream", "rps": data_rows / seconds if seconds else None,
           "unit": "rows/s", "seconds": round(seconds, 2), "export_rows": data_rows, "export_bytes": data_bytes,
           "export_chunks": chunks, "rss_before_mb": round(rss_before, 1), "rss_peak_mb": round(peak[0], 1),
           "rss_growth_mb": round(peak[0] - rss_before, 1), "writes_verified": problem is None}
    if problem:
        row["verification_error"] = f"{row['workload']}: {problem}"
    return row


def summary(rows: list[dict]) -> dict | None:
    """Issue 6's targets from the UTC SalesReport rows: < 50 ms at the large size, cost ratio <= 1.5."""
    utc = sorted((r for r in rows if r.get("zone") == "UTC"), key=lambda r: r["orders_in_db"])
    if len(utc) < 2:
        return None
    small, large = utc[0], utc[-1]
    ratio = large["p50_us"] / small["p50_us"] if small["p50_us"] else None
    result = {"small_orders": small["orders_in_db"], "large_orders": large["orders_in_db"],
              "median_ms_small": small["p50_us"] / 1000, "median_ms_large": large["p50_us"] / 1000,
              "ratio_median": ratio, "target_ms": TARGET_MS, "target_ratio": TARGET_RATIO,
              "met_ms": large["p50_us"] / 1000 < TARGET_MS,
              "met_ratio": ratio is not None and ratio <= TARGET_RATIO}
    large["target"] = {"max_ms": TARGET_MS, "max_ratio": TARGET_RATIO, "ratio": ratio,
                       "met": result["met_ms"] and result["met_ratio"]}
    return result
