#!/usr/bin/env python3
"""`make bench`: omsd's throughput and latency next to a reference, in one table, within a budget.

One run, on loopback (sections in this order; their wall times and the total are printed at the end):
  0. `swift build -c release` of omsd, omsload and omsctl (not counted in --budget, default 540 s).
  1. omsd on a free port with a temporary data dir; seeds a product, a stock level and an order and
     checks with grpcio that Health/Check, GetProduct, GetOrder and GetStock answer right (h2load
     counts HTTP 200 as success even when grpc-status is not 0).
  2. Unary reads. The ceiling: nghttpd (nghttp2's own single-threaded server, `-n 1`) serving files
     holding the very same gRPC-framed replies omsd sent, with `content-type: application/grpc` and a
     `grpc-status: 0` trailer. h2load (one thread, pinned to CPU 0; the server to CPU 1) against
     each: 1 s warm-up + 5 s per row.
  3. Durable writes. The reference: one thread appending 200 bytes to a file in omsd's data dir and
     calling fsync (then fdatasync) for 2 s: the single-thread fsync rate of that disk. Then with
     h2load (one body, no request_id): UpsertProduct at 64 and 256 streams and AdjustStock (+1) at
     1, 16, 64 and 256, each a 1 s warm-up run and 3 s measured, checked with grpcio: the SKU's
     version / on_hand grew by the 2xx count (plus what was in flight) and by exactly omsd's write
     commands (GetServerInfo). `--all-writes` adds UpsertProduct at 1 and 16 and CreateOrder with
     h2load (no request_id: one body repeated; checked by reserved units and ListOrders).
     Then CreateOrder with a unique request_id per call at 1, 16, 64 and 256 streams (omsload, on
     the Swift SDK), checked the same way, and the fsync rate once more (drift).
  4. Reports at the small size: a second omsd; omsload imports --small-orders (10k) orders through
     ImportOrders, placed over the 90 UTC days before today (order.created_at_millis), 50k
     customers, 4 channels, USD and EUR; then the reports rows (reports_bench.py): SalesReport
     day x channel over those days, 200 calls one after another with h2load -c 1 -m 1 (median,
     p90; and in America/New_York), each reply checked against what omsload imported, and the CSV
     export by day x customer through grpcio (rows counted, omsd's RSS growth).
  5. Scale (scale.py), on the first omsd: the same import with --scale-orders (1M) orders. The load
     gets what the later sections leave of the budget and stops early with a slow writer (the rows
     then name the orders loaded). RSS; WatchEvents catch-up of the import's events; restart to
     SERVING on the same data; the reports rows at that size (once omsd is idle, at most 20 s: the
     load's compactions would otherwise be measured); the mixed 80/20 GetOrder/CreateOrder
     run (5 s warm-up, 60 s measured); RSS growth over it.
  6. BulkAdjustStock of 100k rows (1 % invalid) through `omsctl stock import` against an omsd of
     its own (bulk_stock_bench.py).
  7. The table, notes, the time per section, and var/bench/latest.json plus
     var/bench/runs/<time>.json for `make bench-compare` (every row, reports and bulk included).

Needs grpcio (the project venv: `make bench` uses it) and Debian's nghttp2-client + nghttp2-server.
Every process it starts is stopped on exit, also on failure, Ctrl-C or when a step hangs past the
budget (+60 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "Tests" / "interop"))
import omsd_harness  # noqa: E402  (stub generation and the omsd process)
import bulk_stock_bench  # noqa: E402  (issue 5: BulkAdjustStock rows/s, Tools/bench/bulk_stock_bench.py)
import reports_bench  # noqa: E402  (issue 6: SalesReport and ExportReport rows, Tools/bench/reports_bench.py)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the omsload rows: unique request_ids, bulk load, catch-up, restart, mixed)

HEALTH_PATH = "/grpc.health.v1.Health/Check"
GET_PRODUCT_PATH = "/oms.v1.CatalogService/GetProduct"
GET_ORDER_PATH = "/oms.v1.OrderService/GetOrder"
GET_STOCK_PATH = "/oms.v1.InventoryService/GetStock"
READ_WAREHOUSE = "BENCH-READ-WH"
READ_CUSTOMER = "BENCH-READER"
READ_WORKLOADS = (("Health/Check", HEALTH_PATH), ("GetProduct", GET_PRODUCT_PATH), ("GetOrder", GET_ORDER_PATH),
                  ("GetStock", GET_STOCK_PATH))
SEED_SKU = "BENCH-0001"
CEILING = "nghttpd (ceiling)"
OTHER_CPU_WARNING_PCT = 15
OMSD = "omsd"
UPSERT_PATH = "/oms.v1.CatalogService/UpsertProduct"
DISK = "disk (omsd's data dir)"
FSYNC_RECORD_BYTES = 200
# h2load connections × streams per connection: 1, 16, 64 and 256 concurrent UpsertProduct calls.
WRITE_SHAPES = ((1, 1), (1, 16), (4, 16), (8, 32))
CREATE_ORDER_PATH = "/oms.v1.OrderService/CreateOrder"
ADJUST_STOCK_PATH = "/oms.v1.InventoryService/AdjustStock"
# CreateOrder (h2load rows, --all-writes) and AdjustStock at 1, 16, 64 and 256 concurrent calls.
ORDER_SHAPES = WRITE_SHAPES
ADJUST_SHAPES = WRITE_SHAPES
ORDER_WAREHOUSE = "BENCH-WH"
ORDER_SKU = "BENCH-ORDER-SKU"
# Units stocked before the CreateOrder rows (each order reserves 1): far more than every row can sell.
ORDER_STOCK = 100_000_000
# Issue 8's targets, shown beside the row (not a failure): durable CreateOrder at 64 streams.
WRITE_TARGETS = {("CreateOrder", 64): {"min_ratio_to_fsync": 20.0, "max_p99_us": 20_000}}
# More device write I/Os per append+fsync than this (ext4: data + journal, ~2-3) means another
# process wrote to the same disk during the reference loop.
DEVICE_WRITES_PER_SYNC_WARNING = 6
AFTER_WRITES = " (after writes)"
# The fsync rate re-measured after the write rows differs by more than this: the disk was not stable.
FSYNC_DRIFT_WARNING_PCT = 25


class BenchError(RuntimeError):
    pass


class BudgetExceeded(BaseException):
    pass


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def grpc_frame(message: bytes) -> bytes:
    """gRPC length-prefixed message: flag 0 (not compressed), 4-byte big-endian length."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


# ---------------------------------------------------------------------------
# Processes


class Processes:
    """Everything this run started, stopped in reverse order on exit."""

    def __init__(self):
        self.popen: list[subprocess.Popen] = []
        self.omsd: list[omsd_harness.Omsd] = []

    def stop_all(self) -> None:
        for server in reversed(self.omsd):
            if server.running:
                try:
                    rc = server.stop()
                    if rc != 0:
                        log(f"warning: omsd exited with code {rc} after SIGTERM (log: {server.log_path})")
                except omsd_harness.HarnessError as e:
                    log(f"warning: {e}")
        for process in reversed(self.popen):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for_port(host: str, port: int, process: subprocess.Popen, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{what} exited with code {process.returncode} before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{what} did not listen on {host}:{port} within {timeout:.0f} s")


def tool_version(tool: str) -> str:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def git_state() -> dict:
    def git(*args):
        r = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


# ---------------------------------------------------------------------------
# h2load


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))  # ceil
    return sorted_values[min(rank, len(sorted_values)) - 1]


def parse_h2load(output: str) -> dict:
    def grab(pattern: str, cast=float):
        m = re.search(pattern, output, re.MULTILINE)
        if not m:
            raise BenchError(f"could not find /{pattern}/ in h2load's output:\n{output[-2000:]}")
        return cast(m.group(1))

    fields = {
        "rps": grab(r"^finished in [^,]+, ([\d.]+) req/s"),
        "requests_done": grab(r"^requests: .*?(\d+) done", int),
        "succeeded": grab(r"^requests: .*?(\d+) succeeded", int),
        "failed": grab(r"^requests: .*?(\d+) failed", int),
        "errored": grab(r"^requests: .*?(\d+) errored", int),
        "timeout": grab(r"^requests: .*?(\d+) timeout", int),
        "status_2xx": grab(r"^status codes: (\d+) 2xx", int),
    }
    m = re.search(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", output, re.MULTILINE)
    fields["non_2xx"] = sum(int(x) for x in m.groups()[1:]) if m else None
    fields["errors"] = fields["failed"] + fields["errored"] + fields["timeout"]
    return fields


def latency_from_log(path: Path) -> dict:
    """p50/p99/p99.9 (µs) of completed requests in h2load's --log-file (start, status, µs)."""
    durations = []
    with open(path) as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] != "-1":
                durations.append(int(parts[2]))
    durations.sort()
    return {
        "samples": len(durations),
        "p50_us": percentile(durations, 0.50),
        "p99_us": percentile(durations, 0.99),
        "p99_9_us": percentile(durations, 0.999),
        "max_us": durations[-1] if durations else 0,
    }


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_h2load(url: str, body_file: Path, token: str, log_file: Path, pin: list[str], server_pid: int, *,
               duration: int, warmup: int, clients: int, streams: int) -> dict:
    timing = ["-D", str(duration)] + (["--warm-up-time", str(warmup)] if warmup else [])
    cmd = [
        *pin, "h2load", *timing,
        "-c", str(clients), "-m", str(streams), "-t", "1",
        "-H", "te: trailers", "-H", "content-type: application/grpc",
        "-H", f"authorization: Bearer {token}",
        "-d", str(body_file), "--log-file", str(log_file), url,
    ]
    shown = [("authorization: Bearer …" if c.startswith("authorization: ") else c) for c in cmd]
    log("$ " + shlex.join(shown))
    # CPU use of both sides over the run (% of one core) tells which side was the bottleneck.
    server_cpu, children_cpu = process_cpu_seconds(server_pid), children_cpu_seconds()
    busy, wall = machine_busy_seconds(), time.monotonic()
    try:
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=duration + warmup + 60
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"h2load did not finish within {duration + warmup + 60} s")
    wall = time.monotonic() - wall
    server_cpu = process_cpu_seconds(server_pid) - server_cpu
    children_cpu = children_cpu_seconds() - children_cpu
    busy = machine_busy_seconds() - busy
    if result.returncode != 0:
        raise BenchError(f"h2load failed (exit {result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    row = parse_h2load(result.stdout)
    if row["requests_done"] == 0:  # e.g. the server went away: not a row of zeros
        raise BenchError(f"h2load completed no request against {url}:\n{result.stdout[-1500:]}")
    row.update(latency_from_log(log_file))
    row["server_cpu_pct"] = round(100 * server_cpu / wall, 1)
    row["h2load_cpu_pct"] = round(100 * children_cpu / wall, 1)
    # Whatever else ran meanwhile (builds, other tests): the numbers are only comparable when this is small.
    row["other_cpu_pct"] = round(max(0.0, 100 * (busy - server_cpu - children_cpu) / wall), 1)
    row["h2load_command"] = shown
    return row


def machine_busy_seconds() -> float:
    """CPU time all processes used (all cores), from /proc/stat: user nice system irq softirq steal."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------
# omsd side


def build_release(deadline: float, scratch_path: str | None) -> Path:
    cmd = ["swift", "build", "-c", "release", "--product", "omsd"]
    if scratch_path:
        cmd += ["--scratch-path", scratch_path]
    timeout = deadline - time.monotonic()
    if timeout < 30:
        raise BenchError("no time left in the budget for the release build")
    log("$ " + shlex.join(cmd))
    try:
        result = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"the release build took longer than the {timeout:.0f} s left in the budget")
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).splitlines()
        tail = "\n".join([l for l in lines if "error:" in l][:20] or lines[-25:])
        raise BenchError(f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{tail}")
    binary = omsd_harness.find_omsd_binary("release", scratch_path)
    try:
        # omsload (the load generator) and omsctl (the BulkAdjustStock row) sit next to omsd.
        scale.build_omsload(REPO_ROOT, scratch_path, max(30, deadline - time.monotonic()), ("omsload", "omsctl"))
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        raise BenchError(str(e))
    return binary


def restart_omsd(server, stubs, workdir: Path, pin: list[str], procs: Processes):
    """Stops omsd and starts it again on the same data dir; returns (new server, seconds from exec to SERVING).

    Health/Check is polled every 5 ms, so the time is exact to a few ms."""
    import grpc

    if server.stop() != 0:
        raise BenchError(f"omsd exited with code {server.returncode} on SIGTERM before the restart")
    again = omsd_harness.Omsd(server.binary, server.data_dir, workdir / "omsd-restart.log", stubs,
                              extra_args=server.extra_args, launcher=pin)
    again.port = omsd_harness.free_port()
    procs.omsd.append(again)
    pb = stubs.health_pb2
    started = time.monotonic()
    again._spawn()
    deadline = started + 120
    while True:
        # A fresh channel per attempt: a channel whose first connect failed waits out gRPC's
        # reconnect backoff (about 1 s), which would be measured instead of omsd.
        if again.process.poll() is not None:
            raise BenchError(f"omsd exited with code {again.process.returncode} on restart:\n{again.log_tail()}")
        if time.monotonic() > deadline:
            raise BenchError(f"omsd was not SERVING 120 s after the restart:\n{again.log_tail()}")
        try:
            with socket.create_connection((again.host, again.port), timeout=0.5):
                pass
        except OSError:
            time.sleep(0.005)
            continue
        with grpc.insecure_channel(again.address) as channel:
            try:
                reply = stubs.health_pb2_grpc.HealthStub(channel).Check(pb.HealthCheckRequest(), timeout=2)
                if reply.status == pb.HealthCheckResponse.SERVING:
                    return again, time.monotonic() - started
            except grpc.RpcError:
                pass
        time.sleep(0.005)


def start_and_check_omsd(binary: Path, stubs, workdir: Path, pin: list[str], procs: Processes):
    """Start omsd, seed the product, check replies with grpcio; return (server, raw replies)."""
    import grpc

    # Same shape as the ceiling: nghttpd runs one worker thread on the pinned
    # core, so omsd runs one event loop there too (two loops on one core only
    # add context switches).
    extra = ["--threads", "1"] if pin else []
    server = omsd_harness.Omsd(
        binary, workdir / "omsd-data", workdir / "omsd.log", stubs, extra_args=extra, launcher=pin)
    procs.omsd.append(server)
    server.start()
    auth = (("authorization", f"Bearer {server.token}"),)
    catalog_pb2, common_pb2 = stubs.catalog_pb2, stubs.common_pb2
    product = catalog_pb2.Product(
        sku=SEED_SKU,
        name="Benchmark widget",
        description="A product of typical size: name, description, price and a few attributes.",
        unit_price=common_pb2.Money(currency_code="USD", amount_minor=1250),
        status=catalog_pb2.PRODUCT_STATUS_ACTIVE,
        weight_grams=350,
        attributes={"color": "blue", "size": "M"},
    )
    t = omsd_harness.RPC_TIMEOUT
    with grpc.insecure_channel(server.address) as channel:
        catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
        request = catalog_pb2.UpsertProductRequest(product=product)
        catalog.UpsertProduct(request, metadata=auth, timeout=t)
        # GetStock / GetOrder read what a typical integration reads: a level and a one-line order.
        inv, orders, cust = stubs.inventory_pb2, stubs.orders_pb2, stubs.customers_pb2
        inventory = stubs.inventory_pb2_grpc.InventoryServiceStub(channel)
        inventory.CreateWarehouse(inv.CreateWarehouseRequest(
            warehouse=inv.Warehouse(code=READ_WAREHOUSE, name="Bench reads", priority=5)), metadata=auth, timeout=t)
        inventory.AdjustStock(inv.AdjustStockRequest(warehouse_code=READ_WAREHOUSE, sku=SEED_SKU, delta=1000,
                                                     reason="bench: stock to read"), metadata=auth, timeout=t)
        order = orders.Order(
            customer_id=READ_CUSTOMER, channel="web", currency_code="USD",
            lines=[orders.OrderLine(sku=SEED_SKU, quantity=2)],
            shipping_address=cust.Address(name="Ada Lovelace", line1="1 Main St", city="London",
                                          postal_code="N1 9GU", country_code="GB"))
        created = stubs.orders_pb2_grpc.OrderServiceStub(channel).CreateOrder(
            orders.CreateOrderRequest(request_id="bench-read-order", order=order), metadata=auth, timeout=t).order
    SEED["order_id"] = created.id
    raw = fetch_replies(server, stubs)
    check_replies(stubs, raw, product, "omsd")
    return server, raw


# What the read rows ask for: the seeded order's id is known once omsd created it.
SEED = {"order_id": "ord_00000000000000000000"}


def read_request_bytes(stubs, path: str) -> bytes:
    if path == HEALTH_PATH:
        return stubs.health_pb2.HealthCheckRequest().SerializeToString()
    if path == GET_PRODUCT_PATH:
        return stubs.catalog_pb2.GetProductRequest(sku=SEED_SKU).SerializeToString()
    if path == GET_ORDER_PATH:
        return stubs.orders_pb2.GetOrderRequest(id=SEED["order_id"]).SerializeToString()
    if path == GET_STOCK_PATH:
        return stubs.inventory_pb2.GetStockRequest(sku=SEED_SKU, warehouse_code=READ_WAREHOUSE).SerializeToString()
    raise ValueError(path)


def fetch_replies(server, stubs) -> dict:
    """The raw reply bytes (identity deserializer) of both workloads: what the ceiling serves."""
    import grpc

    t = omsd_harness.RPC_TIMEOUT
    auth = (("authorization", f"Bearer {server.token}"),)
    with grpc.insecure_channel(server.address) as channel:
        return {path: channel.unary_unary(path)(read_request_bytes(stubs, path), metadata=auth, timeout=t)
                for _, path in READ_WORKLOADS}


def check_replies(stubs, raw: dict, product, who: str) -> None:
    health = stubs.health_pb2.HealthCheckResponse.FromString(raw[HEALTH_PATH])
    if health.status != stubs.health_pb2.HealthCheckResponse.SERVING:
        raise BenchError(f"{who}: Health/Check answered {health} instead of SERVING")
    got = stubs.catalog_pb2.GetProductResponse.FromString(raw[GET_PRODUCT_PATH]).product
    if (got.sku, got.name, got.unit_price) != (product.sku, product.name, product.unit_price):
        raise BenchError(f"{who}: GetProduct returned {got} instead of the seeded product")
    order = stubs.orders_pb2.GetOrderResponse.FromString(raw[GET_ORDER_PATH]).order
    if order.id != SEED["order_id"] or [(l.sku, l.quantity) for l in order.lines] != [(SEED_SKU, 2)]:
        raise BenchError(f"{who}: GetOrder returned {order} instead of the seeded order {SEED['order_id']}")
    stock = stubs.inventory_pb2.GetStockResponse.FromString(raw[GET_STOCK_PATH])
    if (stock.on_hand, stock.reserved, stock.available) != (1000, 2, 998):
        raise BenchError(f"{who}: GetStock returned {stock} instead of on_hand 1000, reserved 2, available 998")


def fallback_replies(stubs) -> dict:
    """Replies shaped like omsd's, for a ceiling-only run (no omsd to ask)."""
    pb = stubs.catalog_pb2
    now = int(time.time() * 1000)
    product = pb.Product(
        sku=SEED_SKU, name="Benchmark widget",
        description="A product of typical size: name, description, price and a few attributes.",
        unit_price=stubs.common_pb2.Money(currency_code="USD", amount_minor=1250),
        status=pb.PRODUCT_STATUS_ACTIVE, weight_grams=350, attributes={"color": "blue", "size": "M"},
        version=1, created_at_millis=now, updated_at_millis=now,
    )
    orders, inv = stubs.orders_pb2, stubs.inventory_pb2
    order = orders.Order(
        id=SEED["order_id"], status=orders.ORDER_STATUS_PENDING_PAYMENT, version=1, customer_id=READ_CUSTOMER,
        channel="web", currency_code="USD", created_at_millis=now, updated_at_millis=now,
        lines=[orders.OrderLine(sku=SEED_SKU, quantity=2, unit_price=product.unit_price, net_minor=2500,
                                price_source="catalog", product_name=product.name,
                                reservations=[orders.LineReservation(warehouse_code=READ_WAREHOUSE, quantity=2)])])
    return {
        HEALTH_PATH: stubs.health_pb2.HealthCheckResponse(status=1).SerializeToString(),
        GET_PRODUCT_PATH: pb.GetProductResponse(product=product).SerializeToString(),
        GET_ORDER_PATH: orders.GetOrderResponse(order=order).SerializeToString(),
        GET_STOCK_PATH: inv.GetStockResponse(sku=SEED_SKU, warehouse_code=READ_WAREHOUSE, on_hand=1000, reserved=2,
                                             available=998).SerializeToString(),
    }


# ---------------------------------------------------------------------------
# Ceiling


def start_ceiling(replies: dict, workdir: Path, pin: list[str], procs: Processes):
    """nghttpd serving each reply at PATH.grpc; returns (base url, command, pid)."""
    htdocs = workdir / "htdocs"
    for path, reply in replies.items():
        target = htdocs / (path.lstrip("/") + ".grpc")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(grpc_frame(reply))
    mime_types = workdir / "mime.types"
    mime_types.write_text("application/grpc\tgrpc\n")  # *.grpc → content-type: application/grpc
    port = omsd_harness.free_port()
    cmd = [
        *pin, "nghttpd", "--no-tls", "-a", "127.0.0.1", "-n", "1",
        "-d", str(htdocs), f"--mime-types-file={mime_types}",
        "--trailer", "grpc-status: 0", "--no-content-length", str(port),
    ]
    log("$ " + shlex.join(cmd))
    process = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=open(workdir / "nghttpd.log", "wb"), stderr=subprocess.STDOUT
    )
    procs.popen.append(process)
    wait_for_port("127.0.0.1", port, process, "nghttpd")
    return f"http://127.0.0.1:{port}", cmd, process.pid


def check_ceiling(stubs, base_url: str, replies: dict) -> None:
    """A stock gRPC client accepts nghttpd's reply as a real gRPC response."""
    import grpc

    address = base_url.removeprefix("http://")
    with grpc.insecure_channel(address) as channel:
        for path, expected in replies.items():
            reply = channel.unary_unary(path + ".grpc")(b"", timeout=omsd_harness.RPC_TIMEOUT)
            if reply != expected:
                raise BenchError(f"nghttpd's {path} reply through grpcio was {reply!r}, expected {expected!r}")


# ---------------------------------------------------------------------------
# Durable writes


def typical_product(stubs, sku: str):
    """The product every row reads or writes: name, description, price and a few attributes."""
    pb = stubs.catalog_pb2
    return pb.Product(
        sku=sku,
        name="Benchmark widget",
        description="A product of typical size: name, description, price and a few attributes.",
        unit_price=stubs.common_pb2.Money(currency_code="USD", amount_minor=1250),
        status=pb.PRODUCT_STATUS_ACTIVE,
        weight_grams=350,
        attributes={"color": "blue", "size": "M"},
    )


def upsert_request_bytes(stubs, sku: str) -> bytes:
    """UpsertProductRequest without request_id nor expected_version: every call is a new version."""
    return stubs.catalog_pb2.UpsertProductRequest(product=typical_product(stubs, sku)).SerializeToString()


def block_device_stat(directory: Path) -> Path | None:
    """/sys/dev/block/MAJ:MIN/stat of the device holding `directory` (None when unknown, e.g. overlayfs)."""
    dev = os.stat(directory).st_dev
    path = Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}/stat")
    return path if path.is_file() else None


def device_writes(stat_file: Path | None) -> tuple[int, int] | None:
    """(write I/Os completed, sectors written) of a block device."""
    if stat_file is None:
        return None
    try:
        fields = stat_file.read_text().split()
        return int(fields[4]), int(fields[6])
    except (OSError, IndexError, ValueError):
        return None


def sync_reference(directory: Path, seconds: float, sync_name: str, label: str = "") -> dict:
    """Single-thread loop for `seconds`: append FSYNC_RECORD_BYTES to a file, then fsync (or fdatasync).

    The file lives in `directory` (omsd's data dir), so it is the same file system
    and disk as omsd's RocksDB WAL. Latency is one append + one sync, in µs."""
    sync = {"fsync": os.fsync, "fdatasync": os.fdatasync}[sync_name]
    path = directory / f"bench-{sync_name}.probe"
    record = b"x" * (FSYNC_RECORD_BYTES - 1) + b"\n"
    stat_file = block_device_stat(directory)
    durations = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    try:
        os.fsync(fd)  # the file's creation is not part of the measurement
        dev_before = device_writes(stat_file)
        own = resource.getrusage(resource.RUSAGE_SELF)
        own_before = own.ru_utime + own.ru_stime
        busy = machine_busy_seconds()
        start = time.perf_counter_ns()
        end = start + int(seconds * 1e9)
        now = start
        while now < end:
            t0 = now
            os.write(fd, record)
            sync(fd)
            now = time.perf_counter_ns()
            durations.append((now - t0) // 1000)
        wall = (now - start) / 1e9
        own = resource.getrusage(resource.RUSAGE_SELF)
        own_cpu = own.ru_utime + own.ru_stime - own_before
        busy = machine_busy_seconds() - busy
        dev_after = device_writes(stat_file)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    durations.sort()
    row = {
        "kind": "disk-reference",
        "workload": f"{sync_name} {FSYNC_RECORD_BYTES} B append{label}",
        "server": DISK,
        "rps": len(durations) / wall,
        "requests_done": len(durations),
        "samples": len(durations),
        "p50_us": percentile(durations, 0.50),
        "p99_us": percentile(durations, 0.99),
        "p99_9_us": percentile(durations, 0.999),
        "max_us": durations[-1] if durations else 0,
        "duration_s": round(wall, 3),
        "directory": str(directory),
        "server_cpu_pct": None,
        "load_cpu_pct": round(100 * own_cpu / wall, 1),
        # Kernel work on behalf of the loop (jbd2, block layer) lands here too, so a few % is normal.
        "other_cpu_pct": round(max(0.0, 100 * (busy - own_cpu) / wall), 1),
    }
    if dev_before and dev_after and durations:
        # ext4 turns one append + fsync into ~2-3 device writes (data + journal); far more means
        # someone else was writing to the same disk meanwhile.
        row["device_write_ios"] = dev_after[0] - dev_before[0]
        row["device_write_ios_per_sync"] = round(row["device_write_ios"] / len(durations), 2)
        row["device_kib_written"] = (dev_after[1] - dev_before[1]) // 2
    return row


class WriteProbe:
    """grpcio access to omsd around the write rows: seed, version, group-commit statistics."""

    def __init__(self, server, stubs):
        import grpc

        self.stubs = stubs
        self.auth = (("authorization", f"Bearer {server.token}"),)
        self.channel = grpc.insecure_channel(server.address)
        self.catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(self.channel)
        self.admin = stubs.admin_pb2_grpc.AdminServiceStub(self.channel)
        self.inventory = stubs.inventory_pb2_grpc.InventoryServiceStub(self.channel)
        self.customers = stubs.customers_pb2_grpc.CustomerServiceStub(self.channel)
        self.orders = stubs.orders_pb2_grpc.OrderServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def upsert(self, sku: str):
        request = self.stubs.catalog_pb2.UpsertProductRequest(product=typical_product(self.stubs, sku))
        return self.catalog.UpsertProduct(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT).product

    def product(self, sku: str):
        request = self.stubs.catalog_pb2.GetProductRequest(sku=sku)
        return self.catalog.GetProduct(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT).product

    def info(self):
        request = self.stubs.admin_pb2.GetServerInfoRequest()
        return self.admin.GetServerInfo(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT)

    def create_warehouse(self, code: str):
        inv = self.stubs.inventory_pb2
        request = inv.CreateWarehouseRequest(warehouse=inv.Warehouse(code=code, name="Bench warehouse", priority=1))
        return self.inventory.CreateWarehouse(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT)

    def has_warehouse(self, code: str) -> bool:
        reply = self.inventory.ListWarehouses(self.stubs.inventory_pb2.ListWarehousesRequest(),
                                              metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT)
        return any(w.code == code for w in reply.warehouses)

    def adjust_stock(self, warehouse: str, sku: str, delta: int, reason: str):
        request = self.stubs.inventory_pb2.AdjustStockRequest(warehouse_code=warehouse, sku=sku, delta=delta,
                                                              reason=reason)
        return self.inventory.AdjustStock(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT).level

    def stock(self, sku: str, warehouse: str):
        request = self.stubs.inventory_pb2.GetStockRequest(sku=sku, warehouse_code=warehouse)
        return self.inventory.GetStock(request, metadata=self.auth, timeout=omsd_harness.RPC_TIMEOUT)

    def upsert_customer(self, customer_id: str):
        cust = self.stubs.customers_pb2
        customer = cust.Customer(
            id=customer_id, name="Bench customer", email=f"{customer_id.lower()}@example.com",
            phone="+44 20 7946 0000",
            addresses=[cust.Address(name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU",
                                    country_code="GB", phone="+44 20 7946 0000")],
        )
        return self.customers.UpsertCustomer(cust.UpsertCustomerRequest(customer=customer), metadata=self.auth,
                                             timeout=omsd_harness.RPC_TIMEOUT).customer

    def count_orders(self, customer_id: str) -> dict:
        """Every order of a customer, paged through ListOrders{customer_id} (served from the customer
        index): how many, by status, by flags, and the units reserved per warehouse."""
        pb = self.stubs.orders_pb2
        orders, pages, token = 0, 0, ""
        by_status: dict[str, int] = {}
        by_flags: dict[str, int] = {}
        reserved_in: dict[str, int] = {}
        while True:
            reply = self.orders.ListOrders(
                pb.ListOrdersRequest(customer_id=customer_id, page_size=1000, page_token=token),
                metadata=self.auth, timeout=60)
            pages += 1
            for order in reply.orders:
                orders += 1
                status = pb.OrderStatus.Name(order.status).removeprefix("ORDER_STATUS_")
                by_status[status] = by_status.get(status, 0) + 1
                flags = "+".join(pb.OrderFlag.Name(f).removeprefix("ORDER_FLAG_") for f in order.flags) or "none"
                by_flags[flags] = by_flags.get(flags, 0) + 1
                for line in order.lines:
                    for r in line.reservations:
                        if not r.released:
                            reserved_in[r.warehouse_code] = reserved_in.get(r.warehouse_code, 0) + r.quantity
            token = reply.next_page_token
            if not token:
                break
        return {"orders": orders, "pages": pages, "by_status": by_status, "by_flags": by_flags,
                "reserved_in": reserved_in}

    def settled_info(self, timeout: float = 5.0):
        """GetServerInfo once write_commands stopped moving: when h2load stops at the end of its
        duration, the writes it had in flight are still committed (and count as versions)."""
        deadline = time.monotonic() + timeout
        last = self.info()
        while time.monotonic() < deadline:
            time.sleep(0.15)
            info = self.info()
            if info.write_commands == last.write_commands:
                return info
            last = info
        return last


class UpsertProductRows:
    """CatalogService/UpsertProduct without request_id: each call a new version of the row's SKU."""

    name = "UpsertProduct"
    path = UPSERT_PATH
    shapes = WRITE_SHAPES
    counted = "versions"

    def __init__(self, probe: WriteProbe, stubs):
        self.probe, self.stubs = probe, stubs

    def setup(self) -> None:
        pass

    def prepare(self, concurrency: int) -> dict:
        sku = f"BENCH-W{concurrency:03d}"
        seeded = self.probe.upsert(sku)
        body = grpc_frame(upsert_request_bytes(self.stubs, sku))
        return {"sku": sku, "seeded_version": seeded.version, "warmup_body": body, "body": body}

    def count(self, ctx: dict) -> int:
        return self.probe.product(ctx["sku"]).version

    def describe(self, ctx: dict, before: int, after: int) -> dict:
        return {"sku": ctx["sku"], "seeded_version": ctx["seeded_version"], "version_before": before,
                "version_after": after, "versions_written": after - before}


class CreateOrderRows:
    """OrderService/CreateOrder without request_id: h2load sends one body file, so every call of a row
    is the same request; a unique request_id per call is impossible with h2load, and the same one would
    make every call after the first an idempotent replay (no write). So each 2xx is a new order with its
    own reservation of 1 unit of BENCH-ORDER-SKU in warehouse BENCH-WH.

    Each row orders for its own customer (BENCH-C<streams>; the warm-up run for BENCH-C<streams>-WARM),
    so the orders of a row can be counted with ListOrders{customer_id}. Counted by the SKU's `reserved`
    (GetStock), which must equal the orders listed and the write commands omsd ran."""

    name = "CreateOrder"
    path = CREATE_ORDER_PATH
    shapes = ORDER_SHAPES
    counted = "orders"

    def __init__(self, probe: WriteProbe, stubs):
        self.probe, self.stubs = probe, stubs

    def setup(self) -> None:
        """Warehouse, product, one customer per row (with an address) and stock for every row."""
        p = self.probe
        if not p.has_warehouse(ORDER_WAREHOUSE):
            p.create_warehouse(ORDER_WAREHOUSE)
        p.upsert(ORDER_SKU)
        for clients, streams in self.shapes:
            for suffix in ("", "-WARM"):
                p.upsert_customer(self.customer(clients * streams) + suffix)
        level = p.adjust_stock(ORDER_WAREHOUSE, ORDER_SKU, ORDER_STOCK, "bench: stock for every CreateOrder row")
        if level.on_hand < ORDER_STOCK:
            raise BenchError(f"AdjustStock {ORDER_SKU} +{ORDER_STOCK}: on_hand is {level.on_hand}")

    @staticmethod
    def customer(concurrency: int) -> str:
        return f"BENCH-C{concurrency:03d}"

    def request_bytes(self, customer_id: str) -> bytes:
        pb, cust = self.stubs.orders_pb2, self.stubs.customers_pb2
        order = pb.Order(
            customer_id=customer_id,
            channel="web",
            currency_code="USD",
            lines=[pb.OrderLine(sku=ORDER_SKU, quantity=1)],
            shipping_address=cust.Address(name="Ada Lovelace", line1="1 Main St", city="London",
                                          postal_code="N1 9GU", country_code="GB", phone="+44 20 7946 0000"),
        )
        return pb.CreateOrderRequest(order=order).SerializeToString()

    def prepare(self, concurrency: int) -> dict:
        customer = self.customer(concurrency)
        if self.probe.count_orders(customer)["orders"]:
            raise BenchError(f"{customer} already has orders before its row")
        return {"customer": customer, "warmup_body": grpc_frame(self.request_bytes(customer + "-WARM")),
                "body": grpc_frame(self.request_bytes(customer))}

    def count(self, ctx: dict) -> int:
        return self.probe.stock(ORDER_SKU, ORDER_WAREHOUSE).reserved

    def describe(self, ctx: dict, before: int, after: int) -> dict:
        listed = self.probe.count_orders(ctx["customer"])
        return {"sku": ORDER_SKU, "warehouse": ORDER_WAREHOUSE, "customer_id": ctx["customer"],
                "reserved_before": before, "reserved_after": after, "reserved_delta": after - before,
                "orders_listed": listed["orders"], "orders_by_status": listed["by_status"],
                "orders_by_flags": listed["by_flags"], "orders_reserved_in": listed["reserved_in"],
                "orders_listed_pages": listed["pages"]}

    def verify(self, extra: dict, writes: int) -> str | None:
        """Every order listed for the row's customer is one the stock counts, none INCOMPLETE, each
        holding 1 unit in BENCH-WH."""
        if extra["orders_listed"] != writes:
            return (f"ListOrders{{customer_id: {extra['customer_id']}}} found {extra['orders_listed']} orders, "
                    f"but {ORDER_SKU}'s reserved grew by {writes}")
        incomplete = sum(n for flags, n in extra["orders_by_flags"].items() if "INCOMPLETE" in flags)
        if incomplete:
            return f"{incomplete} orders were flagged INCOMPLETE"
        if extra["orders_reserved_in"] != {ORDER_WAREHOUSE: writes}:
            return f"reservations {extra['orders_reserved_in']}, expected {writes} units in {ORDER_WAREHOUSE}"
        return None


def stock_for_orders(probe: WriteProbe) -> None:
    """BENCH-WH, the order SKU and stock for every CreateOrder the rows make (omsload's unique rows
    also run without the h2load CreateOrder rows, which set up the same)."""
    if not probe.has_warehouse(ORDER_WAREHOUSE):
        probe.create_warehouse(ORDER_WAREHOUSE)
    probe.upsert(ORDER_SKU)
    import grpc

    try:
        available = probe.stock(ORDER_SKU, ORDER_WAREHOUSE).available
    except grpc.RpcError:  # no level yet
        available = 0
    if available < ORDER_STOCK // 2:
        probe.adjust_stock(ORDER_WAREHOUSE, ORDER_SKU, ORDER_STOCK, "bench: stock for the CreateOrder rows")


class AdjustStockRows:
    """InventoryService/AdjustStock delta +1 without request_id: each call one ledger row and on_hand + 1
    of the row's SKU (BENCH-A<streams>) in BENCH-WH, counted by GetStock on_hand."""

    name = "AdjustStock"
    path = ADJUST_STOCK_PATH
    shapes = ADJUST_SHAPES
    counted = "on_hand"

    def __init__(self, probe: WriteProbe, stubs):
        self.probe, self.stubs = probe, stubs

    def setup(self) -> None:
        if not self.probe.has_warehouse(ORDER_WAREHOUSE):
            self.probe.create_warehouse(ORDER_WAREHOUSE)

    def prepare(self, concurrency: int) -> dict:
        sku = f"BENCH-A{concurrency:03d}"
        self.probe.adjust_stock(ORDER_WAREHOUSE, sku, 1, "bench: seed")
        body = grpc_frame(self.stubs.inventory_pb2.AdjustStockRequest(
            warehouse_code=ORDER_WAREHOUSE, sku=sku, delta=1, reason="bench receipt").SerializeToString())
        return {"sku": sku, "warmup_body": body, "body": body}

    def count(self, ctx: dict) -> int:
        return self.probe.stock(ctx["sku"], ORDER_WAREHOUSE).on_hand

    def describe(self, ctx: dict, before: int, after: int) -> dict:
        return {"sku": ctx["sku"], "warehouse": ORDER_WAREHOUSE, "on_hand_before": before,
                "on_hand_after": after, "on_hand_delta": after - before}


WRITE_REQUESTS = {
    "UpsertProduct": "UpsertProductRequest, no request_id, one SKU per row (BENCH-W<streams>): a new version each",
    "CreateOrder": (f"CreateOrderRequest{{order{{customer_id BENCH-C<streams>, channel web, USD, 1 line "
                    f"{ORDER_SKU} × 1, full shipping_address}}}}, no request_id (h2load repeats one body: a unique "
                    f"request_id per call is impossible, a shared one would replay): a new order and reservation "
                    f"each, stock {ORDER_STOCK:,} in {ORDER_WAREHOUSE} stocked before the rows"),
    "AdjustStock": f"AdjustStockRequest{{{ORDER_WAREHOUSE}, BENCH-A<streams>, delta +1}}, no request_id: on_hand + 1 each",
}


def write_workloads(probe, stubs, args) -> list:
    """The durable-write workloads of the run, in order. By default UpsertProduct (the cheapest
    durable write: group commit's ceiling) at 64 and 256 streams and AdjustStock at 1-256;
    CreateOrder is measured with unique request_ids by omsload (scale.unique_create_rows), so its
    h2load rows (one repeated body, no request_id) and UpsertProduct at 1 and 16 streams only run
    with --all-writes."""
    upsert, adjust = UpsertProductRows(probe, stubs), AdjustStockRows(probe, stubs)
    if getattr(args, "all_writes", False):
        return [upsert, CreateOrderRows(probe, stubs), adjust]
    upsert.shapes = WRITE_SHAPES[2:]
    return [upsert, adjust]


def run_write_row(rows_of, probe: WriteProbe, server, workdir: Path, pin: list[str], args, fsync_rps,
                  clients: int, streams: int, index: int) -> dict:
    """One durable-write row: prepare, a warm-up run, then the measured run, checked with grpcio."""
    concurrency = clients * streams
    ctx = rows_of.prepare(concurrency)
    tag = f"{rows_of.name}-{concurrency:03d}"
    warmup_file, body_file = workdir / f"{tag}-warmup.req", workdir / f"{tag}.req"
    warmup_file.write_bytes(ctx["warmup_body"])
    body_file.write_bytes(ctx["body"])
    url = f"http://{server.address}{rows_of.path}"
    shape = dict(clients=clients, streams=streams)
    pid = server.process.pid
    if args.write_warmup:
        # A separate warm-up run (not h2load's --warm-up-time), so the measured run's writes can be
        # counted exactly: h2load does not report how many requests its warm-up sent.
        run_h2load(url, warmup_file, server.token, workdir / f"h2load-{tag}-warmup.log", pin, pid,
                   duration=args.write_warmup, warmup=0, **shape)
    before_info, before = probe.settled_info(), rows_of.count(ctx)
    row = run_h2load(url, body_file, server.token, workdir / f"h2load-{tag}.log", pin, pid,
                     duration=args.write_duration, warmup=0, **shape)
    after_info, after = probe.settled_info(), rows_of.count(ctx)
    commands = after_info.write_commands - before_info.write_commands
    groups = after_info.write_groups - before_info.write_groups
    writes = after - before
    extra = rows_of.describe(ctx, before, after)
    # h2load counts HTTP 200 even when grpc-status != 0; only the counter proves a write happened.
    # Every 2xx must be a new write; up to `concurrency` more may have been in flight when h2load
    # stopped (committed, but not counted by h2load); and no command of the row may have failed.
    problem = None
    if not row["status_2xx"] <= writes <= row["status_2xx"] + concurrency:
        problem = (f"h2load counted {row['status_2xx']} HTTP 2xx, but the {rows_of.counted} went from "
                   f"{before} to {after} ({writes})")
    elif commands != writes:
        problem = f"omsd ran {commands} write commands, but the {rows_of.counted} grew by {writes}"
    elif hasattr(rows_of, "verify"):
        problem = rows_of.verify(extra, writes)
    row.update(extra)
    row.update(
        kind="durable-write",
        workload=f"{rows_of.name}, {concurrency} stream{'s' if concurrency != 1 else ''}",
        server=OMSD,
        h2load_flags=f"-t 1 -c {clients} -m {streams}",
        concurrent_streams=concurrency,
        request_bytes=len(ctx["body"]),
        writes_counted=writes,
        counted_by=rows_of.counted,
        in_flight_at_stop=writes - row["status_2xx"],
        row_write_commands=commands,
        row_write_groups=groups,
        commands_per_group=round(commands / groups, 2) if groups else None,
        writes_verified=problem is None,
        ratio_to_fsync=row["rps"] / fsync_rps if fsync_rps else None,
    )
    target = WRITE_TARGETS.get((rows_of.name, concurrency))
    if target:
        row["target"] = dict(target, ratio_met=row["ratio_to_fsync"] is not None
                             and row["ratio_to_fsync"] >= target["min_ratio_to_fsync"],
                             p99_met=row["p99_us"] < target["max_p99_us"])
    if problem:  # the row stays in the table (marked ✗); the run fails
        row["verification_error"] = f"{row['workload']}: {problem}: not every 2xx was a durable write"
    return row


# ---------------------------------------------------------------------------
# Report


def fmt_us(us) -> str:
    return "-" if us is None else f"{us / 1000:.3f} ms"


def render_table(header: list[str], lines: list[list[str]], left: int = 2) -> None:
    """Markdown table; the first `left` columns left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(header)]
    right = set(range(left, len(header)))

    def render(cells):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    print(render(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for l in lines:
        print(render(l))


def fmt_pct(value) -> str:
    return "-" if value is None else f"{value:.0f}%"


def memory_line(before: dict | None, after: dict) -> str:
    """omsd's own account of its memory (GetServerInfo), as `before → after` when there is a before."""
    parts = (("memtables", "memtables_mb"), ("block cache", "block_cache_mb"),
             ("table readers", "table_readers_mb"), ("heap in use", "heap_in_use_mb"), ("heap held", "heap_held_mb"))
    def value(key: str) -> str:
        return (f"{before[key]:.0f} → " if before else "") + f"{after[key]:.0f} MiB"
    return ", ".join(f"{name} {value(key)}" for name, key in parts)


def is_read_row(r: dict) -> bool:
    return r.get("kind", "unary-read") == "unary-read"


def fmt_rate(r: dict) -> str:
    if r.get("rps") is None:
        return "-"
    unit = r.get("unit", "req/s")
    return f"{r['rps']:,.0f} {unit}" if unit != "req/s" else f"{r['rps']:,.0f}"


def fmt_value(r: dict) -> str:
    """The scale rows' own measure: seconds, MiB; the reports rows' rollup rows read or export RSS growth."""
    if r.get("rss_growth_mb") is not None:
        return f"{r['seconds']:.2f} s, RSS +{r['rss_growth_mb']:.0f} MiB"
    if r.get("rollup_rows_read") is not None:
        return f"{r['rollup_rows_read']:,} rollup rows"
    if r.get("rss_mb") is not None:
        growth = r.get("rss_growth_pct")
        return f"{r['rss_mb']:.0f} MiB" + (f" ({growth:+.1f}%)" if growth is not None else "")
    if r.get("seconds") is not None:
        return f"{r['seconds']:.2f} s"
    return ""


def fmt_reference(r: dict, ceilings: dict) -> tuple[str, str]:
    """(reference, ratio) of a row: reads to the nghttpd ceiling, writes to the fsync rate."""
    if r.get("ratio_to_ceiling") is not None and r["server"] != CEILING:
        return f"nghttpd {ceilings.get(r['workload'], 0):,.0f}", f"{r['ratio_to_ceiling']:.2f}"
    if r.get("kind") in ("durable-write", "disk-reference") and r.get("ratio_to_fsync") is not None:
        fsync = r["rps"] / r["ratio_to_fsync"] if r["ratio_to_fsync"] else 0
        return f"fsync {fsync:,.0f}/s", f"{r['ratio_to_fsync']:.2f}"
    return "-", "-"


def fmt_check(r: dict) -> str:
    target = r.get("target") or {}
    verdict = ""
    if "ratio_met" in target:
        verdict = "target " + ("met" if target["ratio_met"] and target["p99_met"] else "NOT met")
    elif "met" in target:
        verdict = "target " + ("met" if target["met"] else "NOT met")
    if r.get("kind") == "unary-read" or "kind" not in r:
        ok = "replies checked" if r["server"] == OMSD else "-"
    elif r.get("kind") == "disk-reference":
        ok = "-"
    else:
        ok = "verified" if r.get("writes_verified") else "✗ NOT verified"
    return ok + (f"; {verdict}" if verdict else "")


def print_table(rows: list[dict]) -> None:
    """Every row in one table: reads (h2load, ratio to the nghttpd ceiling), durable writes (h2load without
    request_id or omsload with unique request_ids, ratio to the fsync rate), scale rows (omsload)."""
    ceilings = {r["workload"]: r["rps"] for r in rows if r.get("server") == CEILING}
    header = ["workload", "server", "load", "rate (req/s)", "p50", "p99", "p99.9", "time / RSS", "reference",
              "ratio", "server CPU/req", "check"]
    lines = []
    for r in rows:
        if r.get("kind") == "disk-reference":
            load = "1 thread, append+sync"
        elif r.get("load"):
            load = r["load"]
        elif r.get("h2load_flags"):
            load = "h2load " + r["h2load_flags"] + " (no request_id)"
        else:
            command = r.get("h2load_command", [])
            start = command.index("h2load") if "h2load" in command else 0
            flags = [c for i, c in enumerate(command[start:]) if i > 0 and command[start:][i - 1] in ("-c", "-m")]
            load = f"h2load -c {flags[0]} -m {flags[1]}" if len(flags) == 2 else "h2load"
        cpu = r.get("server_cpu_us_per_request")
        if cpu is None and r.get("server_cpu_pct") is not None and r.get("rps"):
            cpu = 1e6 * r["server_cpu_pct"] / 100 / r["rps"]
        reference, ratio = fmt_reference(r, ceilings)
        lines.append([
            r["workload"], r["server"], load, fmt_rate(r),
            fmt_us(r.get("p50_us")) if r.get("p50_us") is not None else "-",
            fmt_us(r.get("p99_us")) if r.get("p99_us") is not None
            else (fmt_us(r["p90_us"]) + " (p90)" if r.get("p90_us") is not None else "-"),
            fmt_us(r.get("p99_9_us")) if r.get("p99_9_us") is not None else "-",
            fmt_value(r) or "-", reference, ratio,
            f"{cpu:.1f} µs" if cpu else "-", fmt_check(r),
        ])
    render_table(header, lines, left=3)


def write_results(out_dir: Path, result: dict) -> Path:
    runs = out_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"].replace(":", "").replace("-", "")
    run_file = runs / f"{stamp}.json"
    text = json.dumps(result, indent=2) + "\n"
    run_file.write_text(text)
    (out_dir / "latest.json").write_text(text)
    return run_file


def small_reports_rows(binary: Path, omsload: Path, stubs, workdir: Path, pin_load: list[str],
                       pin_server: list[str], procs: Processes, args, reports_at) -> list[dict]:
    """A second omsd with --small-orders orders imported exactly like the big load (same days,
    customers, channels), its reports rows, then stopped: the other side of cost(1M)/cost(10k)."""
    small = omsd_harness.Omsd(binary, workdir / "small-data", workdir / "omsd-small.log", stubs,
                              extra_args=["--threads", "1"] if pin_server else [], launcher=pin_server)
    procs.omsd.append(small)
    small.start()
    probe = WriteProbe(small, stubs)
    try:
        probe.create_warehouse(ORDER_WAREHOUSE)
        probe.upsert(ORDER_SKU)
        probe.adjust_stock(ORDER_WAREHOUSE, ORDER_SKU, 3 * args.small_orders + 10, "bench: stock for the import")
    finally:
        probe.close()
    out = scale.import_orders(omsload, pin_load, small, args.small_orders, args.report_days, args.report_customers,
                              "small", 120, ORDER_SKU)
    rows = []
    if out["failed"] or out["created"] != args.small_orders:
        rows.append({"kind": "report", "workload": f"ImportOrders {args.small_orders:,} orders (small database)",
                     "server": "omsd", "writes_verified": False,
                     "verification_error": f"small import created {out['created']} of {args.small_orders} "
                                           f"({out['failed']} failed, first: {out.get('first_failure')})"})
        return rows
    settled = scale.wait_until_idle(small.process.pid, max_seconds=5)  # as the big one: after its flushes
    found = reports_at(small, out["expected"], out["created"])
    for row in found:
        row["idle_wait_s"] = settled
    rows.extend(found)
    if small.stop() != 0:
        log(f"warning: the small omsd exited with code {small.returncode} (log: {small.log_path})")
    return rows


def bulk_stock_row(bin_dir: Path, rows: int) -> dict:
    """issue 5's BulkAdjustStock (Tools/bench/bulk_stock_bench.py) as a row of the table."""
    r = bulk_stock_bench.run(None, rows, bin_dir=bin_dir)
    row = {"kind": "bulk", "workload": f"BulkAdjustStock, {rows:,} rows ({r['invalid']:,} invalid)",
           "server": "omsd", "load": "omsctl stock import", "rps": r["rows_per_second"], "unit": "rows/s",
           "seconds": round(r["seconds"], 2), "bulk": r, "writes_verified": r["verified"]}
    if not r["verified"]:
        row["verification_error"] = f"{row['workload']}: {r['checks']}"
    return row


class Sections:
    """Wall time of each part of the run next to what it was planned to take, printed at the end."""

    def __init__(self):
        self.done: list[dict] = []
        self.current: tuple[str, float | None, float] | None = None

    def start(self, name: str, planned: float | None = None) -> None:
        """Ends the open section (if any) and opens `name`."""
        self.stop()
        log(f"--- {name}" + (f" (planned ~{planned:.0f} s)" if planned else ""))
        self.current = (name, planned, time.monotonic())

    def stop(self) -> None:
        if self.current:
            name, planned, started = self.current
            self.done.append({"section": name, "seconds": round(time.monotonic() - started, 1),
                              "planned_s": round(planned, 1) if planned else None})
            self.current = None

    @contextmanager
    def __call__(self, name: str, planned: float | None = None):
        self.start(name, planned)
        try:
            yield
        finally:
            self.stop()

    def print(self, total: float, build: float | None) -> None:
        print("\ntime per section (wall clock, planned in brackets):")
        if build is not None:
            print(f"  {'release build (outside --budget)':<44} {build:7.1f} s")
        for s in self.done:
            planned = f"  [{s['planned_s']:.0f} s]" if s["planned_s"] else ""
            print(f"  {s['section']:<44} {s['seconds']:7.1f} s{planned}")
        print(f"  {'total after the build':<44} {total:7.1f} s")


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", "-D", type=int, default=5, help="seconds measured per read row (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up seconds before each read row (default 1)")
    parser.add_argument("--clients", "-c", type=int, default=16, help="h2load connections (default 16)")
    parser.add_argument("--streams", "-m", type=int, default=32, help="concurrent streams per connection (default 32)")
    parser.add_argument("--omsd", type=Path, help="omsd binary to use (default: $OMSD_BIN, else build release)")
    parser.add_argument("--scratch-path", help="swift build --scratch-path for the release build (default .build)")
    parser.add_argument("--write-duration", type=int, default=3,
                        help="seconds measured per durable-write row (default 3)")
    parser.add_argument("--write-warmup", type=int, default=1,
                        help="seconds of the separate warm-up run before each UpsertProduct row (default 1)")
    parser.add_argument("--fsync-duration", type=float, default=2.0,
                        help="seconds of the single-thread fsync (and fdatasync) reference loop (default 2)")
    parser.add_argument("--all-writes", action="store_true",
                        help="also the h2load CreateOrder rows (no request_id) and UpsertProduct at 1 and 16 streams")
    parser.add_argument("--no-writes", action="store_true", help="skip the durable-write rows and the fsync reference")
    parser.add_argument("--no-unique", action="store_true",
                        help="skip the CreateOrder rows with unique request_ids (omsload)")
    parser.add_argument("--scale-orders", type=int, default=1_000_000,
                        help="orders bulk-loaded with ImportOrders for the scale and reports rows; the load stops "
                             "early when it would push the run past --budget; 0 skips them (default 1000000)")
    parser.add_argument("--small-orders", type=int, default=10_000,
                        help="orders of the second, small omsd the reports are compared with (default 10000)")
    parser.add_argument("--report-days", type=int, default=90,
                        help="the imported orders are placed over this many UTC days before today (default 90)")
    parser.add_argument("--report-customers", type=int, default=50_000,
                        help="customers the imported orders rotate over: the day x customer CSV export has about "
                             "one row per order at 1M (default 50000)")
    parser.add_argument("--report-calls", type=int, default=200,
                        help="SalesReport calls timed per size (median, p90; default 200)")
    parser.add_argument("--bulk-rows", type=int, default=100_000,
                        help="rows of the BulkAdjustStock row (omsctl stock import; 0 skips it; default 100000)")
    parser.add_argument("--mixed-duration", type=float, default=60.0,
                        help="seconds measured of the mixed 80/20 GetOrder/CreateOrder run (default 60)")
    parser.add_argument("--mixed-warmup", type=float, default=5.0,
                        help="seconds of mixed load before the measured run, after the restart (default 5)")
    parser.add_argument("--mixed-streams", type=int, default=64, help="concurrent calls of the mixed run (default 64)")
    parser.add_argument("--ceiling-only", action="store_true", help="measure only nghttpd (no omsd needed)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin h2load and the server to separate CPUs")
    parser.add_argument("--budget", type=int, default=540,
                        help="limit for the run after the release build, in seconds (default 540): the bulk load "
                             "gets what the other sections leave of it; past it (plus 60 s) the run is stopped")
    parser.add_argument("--build-timeout", type=int, default=1800,
                        help="limit for the release build of omsd and omsload (incremental: seconds; a fresh clone "
                             "takes minutes), in seconds (default 1800)")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, data)")
    args = parser.parse_args()

    started = time.monotonic()
    started_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    deadline = started + args.budget
    for tool in ("h2load", "nghttpd"):
        if shutil.which(tool) is None:
            log(f"{tool} not found: run `bash scripts/install-deps.sh bench` (Debian nghttp2-client, nghttp2-server)")
            return 2
    try:
        import grpc  # noqa: F401
    except ImportError:
        log("grpcio is missing: run through `make bench` (uses .build-venv/) or `bash scripts/python-env.sh`")
        return 2

    def out_of_time(signum, frame):
        raise BudgetExceeded(f"the run exceeded its budget of {args.budget} s")

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGALRM, out_of_time)
    # The budget bounds the measurement; the release build before it has its own limit.
    signal.alarm(args.budget + args.build_timeout)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    pin_load, pin_server = [], []
    if not args.no_pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        pin_load, pin_server = ["taskset", "-c", "0"], ["taskset", "-c", "1"]

    workdir = Path(tempfile.mkdtemp(prefix="omsd-bench-"))
    procs = Processes()
    omsd_error = None
    rows: list[dict] = []
    result: dict = {}
    sections = Sections()
    build_seconds = None
    omsload = None
    try:
        stubs = omsd_harness.generate_stubs(workdir / "stubs")

        # 1. omsd: build, start, seed, check with a real client.
        server, replies = None, None
        if not args.ceiling_only:
            try:
                binary = args.omsd or (Path(os.environ["OMSD_BIN"]) if os.environ.get("OMSD_BIN") else None)
                if binary is None:
                    build_started = time.monotonic()
                    binary = build_release(time.monotonic() + args.build_timeout, args.scratch_path)
                    build_seconds = time.monotonic() - build_started
                # The budget counts from here; the bulk load takes what the other sections leave of it,
                # the alarm is only the backstop for a hung step.
                started = time.monotonic()
                deadline = started + args.budget
                signal.alarm(args.budget + 60)
                if not (binary.is_file() and os.access(binary, os.X_OK)):
                    raise BenchError(f"omsd binary not found at {binary}")
                omsload = scale.find_omsload(binary)
                if not (omsload.is_file() and os.access(omsload, os.X_OK)):
                    raise BenchError(f"omsload not found next to omsd at {omsload} (swift build -c release --product omsload)")
                log(f"starting {binary}")
                with sections("start omsd, seed, check replies", 3):
                    server, replies = start_and_check_omsd(binary, stubs, workdir, pin_server, procs)
                log(f"omsd serving on {server.address}; Health/Check SERVING and GetProduct {SEED_SKU} checked with grpcio")
            except (BenchError, omsd_harness.HarnessError) as e:
                omsd_error = str(e)
            except Exception as e:  # grpc.RpcError and friends: report, keep the ceiling numbers
                omsd_error = f"{type(e).__name__}: {e}"
            if omsd_error:
                log("omsd part failed; measuring the ceiling only.\n" + omsd_error)
                server = None  # procs.stop_all() stops it if it is still running
        if replies is None:
            replies = fallback_replies(stubs)

        # 2. The ceiling.
        sections.start("unary reads (h2load, omsd and nghttpd)",
                       len(READ_WORKLOADS) * (2 if server else 1) * (args.duration + args.warmup + 0.5))
        request_files = {}
        for _, path in READ_WORKLOADS:
            request_files[path] = workdir / (path.strip("/").replace("/", "_") + ".req")
            request_files[path].write_bytes(grpc_frame(read_request_bytes(stubs, path)))
        ceiling_url, nghttpd_cmd, nghttpd_pid = start_ceiling(replies, workdir, pin_server, procs)
        check_ceiling(stubs, ceiling_url, replies)

        # 3. Load, one server at a time.
        token = server.token if server else "none"
        for workload, path in READ_WORKLOADS:
            targets = [(CEILING, f"{ceiling_url}{path}.grpc", nghttpd_pid)]
            if server:
                targets.append((OMSD, f"http://{server.address}{path}", server.process.pid))
            ceiling_rps = None
            for name, url, pid in targets:
                log(f"{workload} on {name}: {args.warmup} s warm-up + {args.duration} s")
                try:
                    row = run_h2load(url, request_files[path], token,
                                     workdir / f"h2load-{len(rows)}.log", pin_load, pid,
                                     duration=args.duration, warmup=args.warmup,
                                     clients=args.clients, streams=args.streams)
                except BenchError as e:
                    if name != OMSD:
                        raise
                    omsd_error = f"{workload}: {e}"  # keep the other rows
                    log(omsd_error)
                    continue
                row.update(workload=workload, server=name, reply_bytes=len(grpc_frame(replies[path])))
                if name == CEILING:
                    ceiling_rps = row["rps"]
                row["ratio_to_ceiling"] = row["rps"] / ceiling_rps if ceiling_rps else None
                rows.append(row)

        if server:
            # Still healthy after the load, and still giving the right answers.
            try:
                after = fetch_replies(server, stubs)
                seeded = stubs.catalog_pb2.GetProductResponse.FromString(replies[GET_PRODUCT_PATH]).product
                check_replies(stubs, after, seeded, "omsd after the load")
            except Exception as e:
                omsd_error = f"after the load: {type(e).__name__}: {e}"

        # 4. Durable writes: the disk's single-thread fsync rate, then UpsertProduct on omsd.
        group_commit = None
        if not args.no_writes:
            write_rows = sum(len(w.shapes) for w in write_workloads(None, None, args))
            sections.start("durable writes (h2load)", 2 * args.fsync_duration
                           + write_rows * (args.write_duration + args.write_warmup + 1.5))
            sync_dir = server.data_dir if server else workdir / "omsd-data"
            sync_dir.mkdir(parents=True, exist_ok=True)
            fsync_rps = None
            for sync_name in ("fsync", "fdatasync"):
                log(f"{sync_name} reference: {FSYNC_RECORD_BYTES} B append + {sync_name}, one thread, "
                    f"{args.fsync_duration:g} s in {sync_dir}")
                row = sync_reference(sync_dir, args.fsync_duration, sync_name)
                fsync_rps = fsync_rps or row["rps"]
                row["ratio_to_fsync"] = row["rps"] / fsync_rps
                rows.append(row)
            if server and server.running:
                probe = WriteProbe(server, stubs)
                try:
                    index = 0
                    for rows_of in write_workloads(probe, stubs, args):
                        try:
                            rows_of.setup()
                        except Exception as e:  # grpc.RpcError: keep the other workloads
                            omsd_error = f"{rows_of.name} setup: {type(e).__name__}: {e}"
                            log(omsd_error)
                            continue
                        for clients, streams in rows_of.shapes:
                            index += 1
                            log(f"{rows_of.name} on omsd, {clients * streams} streams (-c {clients} -m {streams}): "
                                f"{args.write_warmup} s warm-up run + {args.write_duration} s")
                            try:
                                row = run_write_row(rows_of, probe, server, workdir, pin_load, args, fsync_rps,
                                                    clients, streams, index)
                            except Exception as e:  # BenchError, grpc.RpcError: keep the other rows
                                omsd_error = f"{rows_of.name} {clients * streams} streams: {type(e).__name__}: {e}"
                                log(omsd_error)
                                continue
                            rows.append(row)
                            if row.get("verification_error"):
                                omsd_error = row["verification_error"]
                                log(omsd_error)
                    if not args.no_unique:
                        sections.start("CreateOrder unique request_ids (omsload)", len(scale.UNIQUE_SHAPES)
                                       * (args.write_duration + args.write_warmup + 2))
                        log(f"CreateOrder with unique request_ids (omsload): 1, 16, 64, 256 streams, "
                            f"{args.write_warmup} s warm-up + {args.write_duration} s each")
                        try:
                            stock_for_orders(probe)
                            unique = scale.unique_create_rows(
                                probe, server, omsload, pin_load, fsync_rps, args.write_duration, args.write_warmup,
                                ORDER_SKU, ORDER_WAREHOUSE)
                        except Exception as e:
                            unique = []
                            omsd_error = f"unique CreateOrder rows: {type(e).__name__}: {e}"
                            log(omsd_error)
                        for row in unique:
                            target = WRITE_TARGETS.get(("CreateOrder", row["concurrent_streams"]))
                            if target:
                                row["target"] = dict(target, ratio_met=(row["ratio_to_fsync"] or 0)
                                                     >= target["min_ratio_to_fsync"],
                                                     p99_met=row["p99_us"] < target["max_p99_us"])
                            rows.append(row)
                            if row.get("verification_error"):
                                omsd_error = row["verification_error"]
                                log(omsd_error)
                    info = probe.settled_info()
                    group_commit = {
                        "write_groups": info.write_groups,
                        "write_commands": info.write_commands,
                        "max_group_size": info.max_group_size,
                        "commands_per_group": round(info.write_commands / info.write_groups, 2)
                        if info.write_groups else None,
                    }
                except Exception as e:
                    omsd_error = f"write rows: {type(e).__name__}: {e}"
                    log(omsd_error)
                finally:
                    probe.close()
                # The disk of a shared machine drifts: measure it again to see whether the rows
                # above were measured against a stable reference (the ratios use the first one).
                sections.start("fsync reference again", args.fsync_duration)
                log(f"fsync reference again, after the write rows ({args.fsync_duration:g} s)")
                row = sync_reference(sync_dir, args.fsync_duration, "fsync", AFTER_WRITES)
                row["ratio_to_fsync"] = row["rps"] / fsync_rps
                rows.append(row)

        sections.stop()

        def reports_at(target, expected: dict, orders: int) -> list[dict]:
            """SalesReport (h2load) and the CSV export (grpcio) on `target`, checked against the import."""
            found = reports_bench.sales_rows(stubs, target, expected, orders, args.report_calls, workdir, pin_load)
            return found + [reports_bench.export_row(stubs, target, expected, orders)]

        def keep_rows(new_rows: list[dict]) -> None:
            nonlocal omsd_error
            rows.extend(new_rows)
            for row in new_rows:
                if row.get("verification_error"):
                    omsd_error = row["verification_error"]
                    log(omsd_error)

        # 5. Reports at the small size: a second omsd, loaded the same way as the big one (a few s).
        if server and server.running and args.scale_orders > 0 and args.small_orders > 0:
            with sections(f"reports at {args.small_orders:,} orders (own omsd)", 5 + args.small_orders / 2_000):
                try:
                    keep_rows(small_reports_rows(binary, omsload, stubs, workdir, pin_load, pin_server, procs, args,
                                                 reports_at))
                except Exception as e:
                    omsd_error = f"reports at {args.small_orders:,} orders: {type(e).__name__}: {e}"
                    log(omsd_error)

        # 6. Scale: bulk load over 90 days, RSS, WatchEvents catch-up, restart to SERVING, the reports
        # at that size, mixed 80/20, RSS. The load gets what the sections after it leave of the budget.
        if server and server.running and args.scale_orders > 0:
            # Measured on a busy 2-core machine: catch-up ~70k events/s, restart < 1 s, reports ~20 s at 1M
            # (plus waiting for omsd to go idle), the mixed run + 5 s, bulk stock ~10 s; the import's
            # in-flight rows drain for ~10 s after the time box; RSS is read three times after a heap trim.
            after_import = (args.scale_orders / 60_000 + 3 + 2 + 20 + scale.SETTLE_MAX_SECONDS / 2
                            + args.mixed_warmup + args.mixed_duration + 5 + (10 if args.bulk_rows else 0) + 5 + 10
                            + 3 * scale.HEAP_TRIM_SECONDS)
            import_seconds = max(20.0, deadline - time.monotonic() - after_import)
            log(f"scale: ImportOrders of up to {args.scale_orders:,} orders within {import_seconds:.0f} s (the "
                f"{after_import:.0f} s after it are kept for catch-up, restart, reports, mixed {args.mixed_duration:g} s"
                f"{' and bulk stock' if args.bulk_rows else ''})")
            try:
                scale_rows, server = scale.scale_rows(
                    lambda s: WriteProbe(s, stubs), server, omsload, pin_load, args, ORDER_SKU, ORDER_WAREHOUSE,
                    lambda s: restart_omsd(s, stubs, workdir, pin_server, procs), import_seconds, reports_at,
                    sections)
                keep_rows(scale_rows)
            except Exception as e:
                omsd_error = f"scale rows: {type(e).__name__}: {e}"
                log(omsd_error)
        reports_summary = reports_bench.summary(rows)

        # 7. BulkAdjustStock (issue 5) through omsctl stock import, against an omsd of its own.
        if server and args.bulk_rows > 0:
            with sections(f"BulkAdjustStock {args.bulk_rows:,} rows (own omsd)", 15):
                try:
                    keep_rows([bulk_stock_row(binary.parent, args.bulk_rows)])
                except Exception as e:
                    omsd_error = f"BulkAdjustStock: {type(e).__name__}: {e}"
                    log(omsd_error)

        result = {
            "schema": 4,
            "started_at": started_at,
            "git": git_state(),
            "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "kernel": platform.release()},
            "config": {
                "duration_s": args.duration, "warmup_s": args.warmup,
                "clients": args.clients, "streams_per_client": args.streams, "h2load_threads": 1,
                "pinning": {"h2load": " ".join(pin_load) or None, "server": " ".join(pin_server) or None},
                "h2load_version": tool_version("h2load"), "nghttpd_version": tool_version("nghttpd"),
                "nghttpd_command": nghttpd_cmd,
            },
            "rows": rows,
            "group_commit": group_commit,
            "reports": reports_summary,
            "omsd_error": omsd_error,
        }
        if not args.no_writes:
            result["config"]["writes"] = {
                "duration_s": args.write_duration, "warmup_run_s": args.write_warmup,
                "shapes": [f"-t 1 -c {c} -m {m}" for c, m in WRITE_SHAPES],
                "fsync_duration_s": args.fsync_duration, "fsync_record_bytes": FSYNC_RECORD_BYTES,
                "request": "UpsertProductRequest, no request_id, one SKU per row (BENCH-W<streams>)",
                "workloads": {
                    w.name: {"shapes": [f"-t 1 -c {c} -m {m}" for c, m in w.shapes], "request": WRITE_REQUESTS[w.name]}
                    for w in write_workloads(None, None, args)
                },
            }
        if args.scale_orders:
            result["config"]["scale"] = {"orders": args.scale_orders, "mixed_duration_s": args.mixed_duration,
                                         "mixed_warmup_s": args.mixed_warmup, "mixed_streams": args.mixed_streams,
                                         "report_days": args.report_days, "report_customers": args.report_customers,
                                         "report_calls": args.report_calls, "small_orders": args.small_orders}
        if server:
            result["config"]["omsd_binary"] = str(server.binary)
    except BudgetExceeded as e:
        log(f"stopped: {e}")
        return 3
    except (BenchError, omsd_harness.HarnessError) as e:
        log(f"failed: {e}")
        return 1
    except KeyboardInterrupt as e:
        log(f"interrupted ({e or 'Ctrl-C'}); stopping what was started")
        return 130
    finally:
        signal.alarm(0)
        sections.stop()
        procs.stop_all()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    total = time.monotonic() - started
    result["sections"] = sections.done
    result["build_seconds"] = round(build_seconds, 1) if build_seconds is not None else None
    result["total_seconds"] = round(total, 1)
    run_file = write_results(args.out_dir, result)
    c = result["config"]
    print()
    print(f"h2load -t 1 -c {c['clients']} -m {c['streams_per_client']}, {c['warmup_s']} s warm-up + {c['duration_s']} s "
          f"per row; pinning: h2load {c['pinning']['h2load'] or 'none'}, server {c['pinning']['server'] or 'none'}")
    print_table(rows)
    write_rows = [r for r in rows if r.get("kind") in ("durable-write", "disk-reference")]
    if write_rows:
        w = c["writes"]
        print(f"durable writes are acknowledged after fsync; h2load rows: {w['warmup_run_s']} s warm-up run, then "
              f"{w['duration_s']} s measured, one body per row (no request_id); omsload rows: the same durations, "
              f"a unique request_id per call; reference: one thread appending {w['fsync_record_bytes']} B + sync "
              f"for {w['fsync_duration_s']:g} s in omsd's data dir")
        for name, workload in w.get("workloads", {}).items():
            print(f"  {name}: {workload['request']}")
        for r in write_rows:
            t = r.get("target")
            if t and "ratio_met" in t:
                print(f"issue 8 target for {r['workload']}: ≥ {t['min_ratio_to_fsync']:g}× the fsync rate "
                      f"({'met' if t['ratio_met'] else 'not met'}: {r['ratio_to_fsync']:.2f}×), p99 < "
                      f"{t['max_p99_us'] / 1000:g} ms ({'met' if t['p99_met'] else 'not met'}: "
                      f"{fmt_us(r['p99_us'])})")
        gc = result.get("group_commit")
        if gc:
            print(f"omsd group commit since start (AdminService/GetServerInfo): {gc['write_commands']:,} write "
                  f"commands in {gc['write_groups']:,} groups = {gc['commands_per_group']} commands per group on "
                  f"average; largest group {gc['max_group_size']}")
    if c.get("scale"):
        sc = c["scale"]
        print(f"scale rows: up to {sc['orders']:,} orders (1 line each, placed over the {sc['report_days']} UTC days "
              f"before today, {sc['report_customers']:,} customers, 4 channels, USD and EUR) bulk-loaded with "
              f"ImportOrders through omsload (stopped early if the budget requires it), then WatchEvents from "
              f"sequence 0, a restart on the same data (exec to Health/Check SERVING), the reports rows, and "
              f"{sc['mixed_warmup_s']:g} s warm-up + {sc['mixed_duration_s']:g} s of 80 % GetOrder / 20 % CreateOrder "
              f"(unique request_ids) at {sc['mixed_streams']} streams; RSS is omsd's VmRSS (targets: ≤ 150 MiB, "
              f"≤ 5 % growth, start ≤ 1 s)")
        print(f"reports rows: SalesReport day x channel over those days, {sc['report_calls']} calls one after "
              f"another with h2load (-c 1 -m 1; latency columns: median and p90, not p99), on the big database and "
              f"on a second omsd loaded the same way with {sc['small_orders']:,} orders; each reply's channel x "
              f"currency totals equal what omsload imported; ExportReport CSV day x customer read by grpcio, data "
              f"lines = the last chunk's rows = the imported day x customer x currency groups, RSS growth of omsd")
    for r in rows:
        if r.get("memory"):
            print(f"{r['workload']}: {memory_line(r.get('memory_before'), r['memory'])}")
    rs = result.get("reports")
    if rs:
        print(f"issue 6 targets: SalesReport median {rs['median_ms_large']:.2f} ms at {rs['large_orders']:,} orders "
              f"(< {rs['target_ms']:g} ms: {'met' if rs['met_ms'] else 'NOT met'}), {rs['median_ms_small']:.2f} ms at "
              f"{rs['small_orders']:,}: cost ratio {rs['ratio_median']:.2f} (≤ {rs['target_ratio']:g}: "
              f"{'met' if rs['met_ratio'] else 'NOT met'})")
    busy_rows = [r for r in rows if (r.get("other_cpu_pct") or 0) > OTHER_CPU_WARNING_PCT]
    for r in busy_rows:
        print(f"warning: other processes used {r['other_cpu_pct']:.0f}% of a core during "
              f"{r['workload']} on {r['server']}: that row is not a clean measurement")
    drift = [r for r in rows if r.get("kind") == "disk-reference" and r["workload"].endswith(AFTER_WRITES)]
    for r in drift:
        if abs(r["ratio_to_fsync"] - 1) * 100 > FSYNC_DRIFT_WARNING_PCT:
            print(f"warning: the fsync rate moved from {r['rps'] / r['ratio_to_fsync']:,.0f}/s before the write rows "
                  f"to {r['rps']:,.0f}/s after them: the disk was not stable, the ratios to fsync are rough")
    for r in rows:
        if (r.get("device_write_ios_per_sync") or 0) > DEVICE_WRITES_PER_SYNC_WARNING:
            print(f"warning: the disk did {r['device_write_ios_per_sync']:.1f} write I/Os per {r['workload']} "
                  f"(expected ~2-3): another process was writing to it, the fsync reference is not clean")
    sections.print(total, build_seconds)
    print(f"\nresults: {args.out_dir / 'latest.json'} (and {run_file}); the bench took {total:.0f} s after the "
          f"release build (budget {args.budget} s)" + (f", {total + build_seconds:.0f} s with it" if build_seconds else ""))
    if omsd_error and not args.ceiling_only:
        print(f"\nbench: the omsd rows are missing: {omsd_error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
