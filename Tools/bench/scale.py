"""The rows of `make bench` that need omsload (Tools/omsload, on the Swift SDK) instead of h2load:

- CreateOrder with a unique request_id per call at 1, 16, 64 and 256 concurrent calls
  (h2load can only repeat one body), verified by the SKU's `reserved` and omsd's write commands;
- the scale rows: bulk load of N orders (default 1M) through ImportOrders, placed over the 90
  days before today (so the reports rows query the same database), process RSS after it,
  WatchEvents catch-up of those N order.created events (events/s), time from start to SERVING
  with N orders (omsd restarted on the same data dir), the reports rows (reports_bench.py),
  the mixed 80/20 GetOrder/CreateOrder workload (60 s), and RSS after it (growth over the mixed run).

Every row is checked against the store, like the h2load rows: counts must match exactly.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from pathlib import Path

SCALE_CUSTOMER = "BENCH-SCALE"
# The imported orders' customers are BENCH-CUST-<n>; the mixed run reads orders of this channel
# (only imported orders use it, so the newest are the import's last day).
REPORT_CUSTOMER = "BENCH-CUST"
MIXED_SEED_CHANNEL = "marketplace"
UNIQUE_CUSTOMER = "BENCH-U{:03d}"
UNIQUE_SHAPES = (1, 16, 64, 256)


def log(message: str) -> None:
    import sys

    print(f"bench: {message}", file=sys.stderr, flush=True)


def find_omsload(omsd_binary: Path) -> Path:
    """omsload sits next to omsd in the release build directory."""
    return omsd_binary.parent / "omsload"


def build_omsload(repo_root: Path, scratch_path: str | None, timeout: float, products=("omsload",)) -> None:
    """Release builds of the tools next to omsd, one `swift build --product` each."""
    deadline = time.monotonic() + timeout
    for product in products:
        cmd = ["swift", "build", "-c", "release", "--product", product]
        if scratch_path:
            cmd += ["--scratch-path", scratch_path]
        log("$ " + shlex.join(cmd))
        result = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True,
                                timeout=max(30, deadline - time.monotonic()))
        if result.returncode != 0:
            raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{(result.stdout + result.stderr)[-3000:]}")


def run_omsload(binary: Path, pin: list[str], server, args: list[str], timeout: float) -> dict:
    cmd = [*pin, str(binary), *args, "--address", server.address, "--token-file", str(server.token_path)]
    log("$ " + shlex.join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"omsload {args[0]} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def unique_create_rows(probe, server, omsload: Path, pin: list[str], fsync_rps: float | None, duration: float,
                       warmup: float, sku: str, warehouse: str) -> list[dict]:
    """CreateOrder with a unique request_id per call (omsload), one customer per row."""
    rows = []
    for streams in UNIQUE_SHAPES:
        customer = UNIQUE_CUSTOMER.format(streams)
        probe.upsert_customer(customer)
        common = ["--customer", customer, "--sku", sku, "--streams", str(streams)]
        if warmup:
            run_omsload(omsload, pin, server, ["create-orders", *common, "--duration", str(warmup),
                                               "--prefix", f"warm-{streams}"], timeout=warmup + 60)
        info_before, reserved_before = probe.settled_info(), probe.stock(sku, warehouse).reserved
        listed_before = probe.count_orders(customer)["orders"]
        cpu_before = process_cpu_seconds(server.process.pid)
        out = run_omsload(omsload, pin, server, ["create-orders", *common, "--duration", str(duration),
                                                 "--prefix", f"run-{streams}"], timeout=duration + 60)
        cpu = process_cpu_seconds(server.process.pid) - cpu_before
        info_after, reserved_after = probe.settled_info(), probe.stock(sku, warehouse).reserved
        listed = probe.count_orders(customer)["orders"] - listed_before
        w = out["writes"]
        writes = reserved_after - reserved_before
        commands = info_after.write_commands - info_before.write_commands
        groups = info_after.write_groups - info_before.write_groups
        problem = None
        if w["errors"]:
            problem = f"{w['errors']} calls failed (first: {w.get('first_error')})"
        elif not (w["requests"] == writes == commands == listed):
            problem = (f"omsload counted {w['requests']} created orders, reserved grew by {writes}, omsd ran "
                       f"{commands} write commands, ListOrders found {listed} new orders")
        row = {
            "kind": "durable-write", "workload": f"CreateOrder unique request_id, {streams} stream{'s' * (streams != 1)}",
            "server": "omsd", "load": f"omsload {streams} streams", "loader": "omsload",
            "rps": w["rps"], "p50_us": w["p50_us"], "p99_us": w["p99_us"], "p99_9_us": w["p99_9_us"],
            "max_us": w["max_us"], "requests_done": w["requests"], "errors": w["errors"], "non_2xx": 0,
            "status_2xx": w["requests"], "writes_counted": writes, "counted_by": "reserved", "writes_verified": problem is None,
            "row_write_commands": commands, "row_write_groups": groups,
            "commands_per_group": round(commands / groups, 2) if groups else None,
            "concurrent_streams": streams, "customer_id": customer,
            "server_cpu_pct": round(100 * cpu / out["seconds"], 1),
            "server_cpu_us_per_request": round(1e6 * cpu / w["requests"], 1) if w["requests"] else None,
            "ratio_to_fsync": w["rps"] / fsync_rps if fsync_rps else None,
        }
        if problem:
            row["verification_error"] = f"{row['workload']}: {problem}"
        rows.append(row)
    return rows


def scale_rows(probe_factory, server, omsload: Path, pin: list[str], args, sku: str, warehouse: str,
               restart, import_seconds: float, reports, section) -> tuple[list[dict], object]:
    """Bulk load, RSS, WatchEvents catch-up, start to SERVING, reports, mixed, RSS. Returns (rows, server).

    The load stops after `import_seconds` even when fewer than --scale-orders orders were sent (a slow
    writer must not push the run over its budget); the rows then name the orders actually loaded.
    `reports(server, expected, orders)` returns the report rows at that size; `section(name, planned)`
    times each step."""
    rows: list[dict] = []
    count = args.scale_orders
    probe = probe_factory(server)
    try:
        # Stock for the import (1-3 units per order) and the mixed run's writes.
        if not probe.has_warehouse(warehouse):
            probe.create_warehouse(warehouse)
        probe.upsert(sku)
        probe.adjust_stock(warehouse, sku, 3 * count + 10_000_000, "bench: stock for the scale rows")
        probe.upsert_customer(SCALE_CUSTOMER)
        reserved_before = probe.stock(sku, warehouse).reserved
        info_before = probe.settled_info()
    finally:
        probe.close()

    # 1. Bulk load through ImportOrders, orders placed over the 90 days before today. omsd may use
    # both cores for it (writer, event loop and RocksDB's flushes and compactions run in parallel);
    # the pinning only matters for the h2load rows.
    subprocess.run(["taskset", "-a", "-p", "-c", "0,1", str(server.process.pid)], capture_output=True)
    with section("import", import_seconds):
        cpu_before = process_cpu_seconds(server.process.pid)
        out = import_orders(omsload, pin, server, count, args.report_days, args.report_customers, "scale",
                            import_seconds, sku)
        cpu = process_cpu_seconds(server.process.pid) - cpu_before
        loaded = out["created"]
        expected = out["expected"]
        probe = probe_factory(server)
        try:
            reserved = probe.stock(sku, warehouse).reserved - reserved_before
            commands = probe.settled_info().write_commands - info_before.write_commands
        finally:
            probe.close()
    problem = None
    if out["failed"] or not (loaded == out["received"] == commands) or reserved != expected["units"]:
        problem = (f"ImportOrders created {loaded} of {out['received']} sent ({out['failed']} failed, "
                   f"first: {out.get('first_failure')}), reserved grew by {reserved} (expected {expected['units']}), "
                   f"{commands} write commands")
    cut = f" (time box {import_seconds:.0f} s reached: {count:,} planned)" if out["stopped_early"] else ""
    row = {"kind": "scale", "workload": f"ImportOrders {loaded:,} orders over {args.report_days} days",
           "server": "omsd", "load": "omsload, 1 stream" + cut, "rps": out["rows_per_s"], "unit": "orders/s",
           "seconds": round(out["seconds"], 2), "orders_planned": count, "orders_loaded": loaded,
           "stopped_early": out["stopped_early"], "import_time_box_s": round(import_seconds, 1),
           "server_cpu_us_per_request": round(1e6 * cpu / max(1, loaded), 1),
           "writes_verified": problem is None}
    if problem:
        row["verification_error"] = row["workload"] + ": " + problem
    rows.append(row)
    rss_right_after = rss_mb(server.process.pid)
    with section("RSS settles (heap trim)", HEAP_TRIM_SECONDS):
        rss_loaded = settled_rss(server.process.pid)
    rows.append({"kind": "scale", "workload": f"RSS after loading {loaded:,} orders", "server": "omsd",
                 "load": f"{HEAP_TRIM_SECONDS:g} s after the load (right after: {rss_right_after:.0f} MiB)",
                 "rss_mb": round(rss_loaded, 1), "rss_right_after_mb": round(rss_right_after, 1), "unit": "MiB",
                 "memory": memory_parts(probe_factory, server),
                 "writes_verified": True, "target": {"max_rss_mb": 150, "met": rss_loaded <= 150}})

    # 2. WatchEvents catch-up: the first `loaded` events of the feed (all stored: the import alone added them).
    with section("WatchEvents catch-up", loaded / 60_000 + 2):
        out = run_omsload(omsload, pin, server, ["watch-events", "--after", "0", "--count", str(loaded)],
                          timeout=120 + loaded / 10_000)
    problem = None
    if out["events"] != loaded or not out["in_order"]:
        problem = f"received {out['events']} events of {loaded} (in order: {out['in_order']})"
    row = {"kind": "scale", "workload": f"WatchEvents catch-up, {loaded:,} events", "server": "omsd",
           "load": "omsload, 1 stream", "rps": out["events_per_s"], "unit": "events/s",
           "seconds": round(out["seconds"], 2), "writes_verified": problem is None}
    if problem:
        row["verification_error"] = row["workload"] + ": " + problem
    rows.append(row)

    # 3. Restart on the same data: time from exec to Health/Check SERVING.
    with section("restart", 5):
        server, seconds = restart(server)
    rows.append({"kind": "scale", "workload": f"start to SERVING with {loaded:,} orders", "server": "omsd",
                 "load": "-", "seconds": round(seconds, 3), "unit": "s", "writes_verified": True,
                 "target": {"max_seconds": 1.0, "met": seconds <= 1.0}})

    # 4. Reports on the loaded orders (SalesReport, CSV export), once omsd is idle: right after the
    # load and restart RocksDB still compacts on the server's core, which the 10k database never does,
    # so cost(1M)/cost(10k) would measure the compaction.
    with section(f"reports at {loaded:,} orders", 20 + SETTLE_MAX_SECONDS):
        settled = wait_until_idle(server.process.pid)
        found = reports(server, expected, loaded)
        for row in found:
            row["idle_wait_s"] = settled
        rows.extend(found)

    # 5. Mixed 80 % GetOrder / 20 % CreateOrder: a short warm-up (caches fill after the restart),
    # RSS, then the measured run; RSS growth is over the measured part.
    measured = args.mixed_duration
    warm = args.mixed_warmup
    with section("mixed 80/20", warm + measured + 5):
        mixed = ["mixed", "--customer", SCALE_CUSTOMER, "--sku", sku, "--seed-channel", MIXED_SEED_CHANNEL,
                 "--streams", str(args.mixed_streams)]
        if warm > 0:
            run_omsload(omsload, pin, server, [*mixed, "--duration", str(warm), "--prefix", "mixed-warm"],
                        timeout=warm + 120)
        rss_started = settled_rss(server.process.pid)
        memory_started = memory_parts(probe_factory, server)
        cpu_before = process_cpu_seconds(server.process.pid)
        probe = probe_factory(server)
        try:
            reserved_before = probe.stock(sku, warehouse).reserved
        finally:
            probe.close()
        out = run_omsload(omsload, pin, server, [*mixed, "--duration", str(measured), "--prefix", "mixed"],
                          timeout=measured + 120)
        cpu = process_cpu_seconds(server.process.pid) - cpu_before
        probe = probe_factory(server)
        try:
            reserved = probe.stock(sku, warehouse).reserved - reserved_before
        finally:
            probe.close()
    r, w = out["reads"], out["writes"]
    problem = None
    if r["errors"] or w["errors"]:
        problem = f"{r['errors']} reads and {w['errors']} writes failed ({r.get('first_error') or w.get('first_error')})"
    elif reserved != w["requests"]:
        problem = f"omsload counted {w['requests']} created orders, reserved grew by {reserved}"
    total = r["requests"] + w["requests"]
    for part, stats in (("reads (GetOrder)", r), ("writes (CreateOrder)", w)):
        row = {"kind": "scale", "workload": f"mixed 80/20, {part}", "server": "omsd",
               "load": f"omsload {args.mixed_streams} streams, {warm:g} s warm-up + {measured:g} s",
               "rps": stats["rps"], "unit": "req/s", "p50_us": stats["p50_us"], "p99_us": stats["p99_us"],
               "p99_9_us": stats["p99_9_us"], "requests_done": stats["requests"], "errors": stats["errors"],
               "server_cpu_us_per_request": round(1e6 * cpu / max(1, total), 1),
               "writes_verified": problem is None}
        if problem:
            row["verification_error"] = row["workload"] + ": " + problem
        rows.append(row)
    rss_mixed_right_after = rss_mb(server.process.pid)
    with section("RSS settles (heap trim)", HEAP_TRIM_SECONDS):
        rss_mixed = settled_rss(server.process.pid)
    growth = 100 * (rss_mixed - rss_started) / rss_started if rss_started else None
    rows.append({"kind": "scale", "workload": "RSS after the mixed run (growth over its measured part)",
                 "server": "omsd",
                 "load": f"both {HEAP_TRIM_SECONDS:g} s after load (right after the run: {rss_mixed_right_after:.0f} MiB)",
                 "rss_mb": round(rss_mixed, 1), "rss_before_mb": round(rss_started, 1),
                 "rss_right_after_mb": round(rss_mixed_right_after, 1),
                 "memory_before": memory_started, "memory": memory_parts(probe_factory, server),
                 "rss_growth_pct": round(growth, 1) if growth is not None else None, "unit": "MiB",
                 "writes_verified": True,
                 "target": {"max_rss_mb": 150, "max_growth_pct": 5,
                            "met": rss_mixed <= 150 and (growth or 0) <= 5}})
    return rows, server


SETTLE_MAX_SECONDS = 20.0
# omsd's heap trimmer runs every 10 s (OMSServer/HeapTrimmer.swift): RSS is read once it has run
# after a burst, since glibc keeps freed heap resident until then.
HEAP_TRIM_SECONDS = 11.0


def memory_parts(probe_factory, server) -> dict | None:
    """Where omsd's memory is (AdminService/GetServerInfo.memory) in MiB, to tell a bounded part (memtables
    and block cache fill up to their configured sizes) from growth elsewhere; None if the call fails."""
    try:
        probe = probe_factory(server)
        try:
            m = probe.info().memory
        finally:
            probe.close()
    except Exception as e:  # the RSS row stands without the breakdown
        log(f"GetServerInfo for the memory breakdown failed: {e}")
        return None
    mib = 1 << 20
    return {"memtables_mb": round(m.memtable_bytes / mib, 1), "block_cache_mb": round(m.block_cache_bytes / mib, 1),
            "table_readers_mb": round(m.table_reader_bytes / mib, 1),
            "heap_in_use_mb": round(m.heap_in_use_bytes / mib, 1), "heap_held_mb": round(m.heap_held_bytes / mib, 1)}


def settled_rss(pid: int) -> float:
    """omsd's RSS once the heap trimmer has run after the load just finished."""
    time.sleep(HEAP_TRIM_SECONDS)
    return rss_mb(pid)


def wait_until_idle(pid: int, max_seconds: float = SETTLE_MAX_SECONDS, window: float = 0.5,
                    idle_pct: float = 10.0) -> float:
    """Waits until the process used under `idle_pct` % of a core over `window` s (background flushes and
    compactions done), at most `max_seconds`; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        cpu = process_cpu_seconds(pid)
        time.sleep(window)
        if 100 * (process_cpu_seconds(pid) - cpu) / window < idle_pct:
            break
    waited = time.monotonic() - started
    log(f"omsd idle after {waited:.1f} s")
    return round(waited, 1)


def import_orders(omsload: Path, pin: list[str], server, count: int, days: int, customers: int, prefix: str,
                  max_seconds: float, sku: str) -> dict:
    """omsload import-orders of `count` orders placed over the `days` UTC days before today, stopping
    after `max_seconds`; the result carries what the reports must show (`expected`)."""
    return run_omsload(omsload, pin, server, [
        "import-orders", "--customer", REPORT_CUSTOMER, "--sku", sku, "--count", str(count),
        "--days", str(days), "--customers", str(customers), "--prefix", prefix,
        "--max-seconds", f"{max_seconds:.1f}"], timeout=max_seconds + 120)
