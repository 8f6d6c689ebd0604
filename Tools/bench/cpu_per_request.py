#!/usr/bin/env python3
"""omsd's CPU time per request for a fixed number of requests: a measure that moves far less than
req/s when other processes share the machine (they take turns on the CPU, they do not add to omsd's
CPU time), though cache and frequency effects remain.

    .build-venv/bin/python Tools/bench/cpu_per_request.py [--omsd PATH] [--requests N] [--orders N] [--record DIR]

Hardware counters are not available in this VM (`perf stat -e instructions` says <not supported>)
and valgrind 3.19 cannot run the Swift 6.3 binary (DWARF 5; without debug info it crashes in
libdispatch), so CPU time it is. Starts omsd (release build by default) on a temporary data dir,
seeds what `make bench` seeds, then for each workload reads omsd's utime + stime (all threads,
/proc/PID/stat) before and after exactly that workload:

- Health/Check, GetProduct, GetOrder, GetStock: `h2load -n N -c 1 -m 32`;
- CreateOrder, no request_id: `h2load -n N -c 4 -m 16` (64 streams);
- ImportOrders: omsload streaming `--orders` orders (unique request_ids).

With `--record DIR`, `perf record -e cpu-clock -g` runs over the same windows: DIR/<name>.data, read
with `perf report -i DIR/<name>.data --sort dso` (CPU by module) or `--sort sym`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402
import scale  # noqa: E402
import omsd_harness  # noqa: E402


def cpu_counted(pid: int, record: Path | None, run) -> dict:
    """Runs `run()` and returns omsd's CPU time over it (all threads, user + system, /proc/PID/stat),
    optionally with `perf record -e cpu-clock -g` attached for the same window."""
    recorder = None
    if record:
        recorder = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "-g",
                                     "-o", str(record), "-p", str(pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    before = process_times(pid)
    try:
        n = run()
    finally:
        after = process_times(pid)
        if recorder:
            recorder.send_signal(2)
            recorder.wait()
    return {"requests": n, "user_s": after[0] - before[0], "system_s": after[1] - before[1]}


def process_times(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--omsd", type=Path, help="omsd binary (default: the release build; omsload must be beside it "
                                                  "unless --omsload is given)")
    parser.add_argument("--omsload", type=Path)
    parser.add_argument("--requests", type=int, default=200_000, help="requests per h2load read workload")
    parser.add_argument("--writes", type=int, default=30_000, help="CreateOrder requests (h2load, 64 streams)")
    parser.add_argument("--orders", type=int, default=50_000, help="orders streamed through ImportOrders")
    parser.add_argument("--record", type=Path, help="also perf record -g into this directory")
    parser.add_argument("--only", help="comma-separated workloads to run")
    args = parser.parse_args()

    binary = args.omsd or omsd_harness.find_omsd_binary("release", None)
    omsload = args.omsload or scale.find_omsload(binary)
    workdir = Path(tempfile.mkdtemp(prefix="omsd-instr-"))
    procs = bench.Processes()
    results = {}
    try:
        stubs = omsd_harness.generate_stubs(workdir / "stubs")
        pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
        load_pin = ["taskset", "-c", "0"] if pin else []
        server, _ = bench.start_and_check_omsd(binary, stubs, workdir, pin, procs)
        probe = bench.WriteProbe(server, stubs)
        bench.CreateOrderRows(probe, stubs).setup()
        probe.upsert_customer(scale.SCALE_CUSTOMER)
        probe.close()
        pid = server.process.pid
        if args.record:
            args.record.mkdir(parents=True, exist_ok=True)

        def h2load(path: str, body: bytes, n: int, clients: int, streams: int):
            body_file = workdir / "body.req"
            body_file.write_bytes(bench.grpc_frame(body))
            cmd = [*load_pin, "h2load", "-n", str(n), "-c", str(clients), "-m", str(streams), "-t", "1",
                   "-H", "te: trailers", "-H", "content-type: application/grpc",
                   "-H", f"authorization: Bearer {server.token}", "-d", str(body_file),
                   f"http://{server.address}{path}"]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600).stdout
            parsed = bench.parse_h2load(out)
            if parsed["status_2xx"] != n:
                raise RuntimeError(f"h2load {path}: {parsed}")
            return n

        workloads = []
        for name, path in bench.READ_WORKLOADS:
            workloads.append((name, lambda path=path: h2load(path, bench.read_request_bytes(stubs, path),
                                                             args.requests, 1, 32)))
        create = bench.CreateOrderRows(None, stubs).request_bytes(scale.SCALE_CUSTOMER)
        workloads.append(("CreateOrder", lambda: h2load(bench.CREATE_ORDER_PATH, create, args.writes, 4, 16)))

        def import_orders():
            out = scale.run_omsload(omsload, load_pin, server,
                                    ["import-orders", "--customer", scale.SCALE_CUSTOMER, "--sku", bench.ORDER_SKU,
                                     "--count", str(args.orders), "--prefix", "instr"], timeout=3600)
            if out["created"] != args.orders:
                raise RuntimeError(f"ImportOrders: {out}")
            return args.orders

        workloads.append(("ImportOrders", import_orders))
        only = set(args.only.split(",")) if args.only else None
        for name, run in workloads:
            if only and name not in only:
                continue
            record = args.record / f"{name.replace('/', '_')}.data" if args.record else None
            counted = cpu_counted(pid, record, run)
            n = counted["requests"]
            results[name] = {"requests": n, "user_us_per_request": round(1e6 * counted["user_s"] / n, 2),
                             "system_us_per_request": round(1e6 * counted["system_s"] / n, 2)}
            print(f"{name:14} {n:>8} requests: {results[name]['user_us_per_request']:>8.2f} µs user + "
                  f"{results[name]['system_us_per_request']:>8.2f} µs system CPU per request", flush=True)
    finally:
        procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
