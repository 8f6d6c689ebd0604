#!/usr/bin/env python3
"""Does a large scan stall other calls? Health/Check latency under h2load, alone and while another
client reads 1,000-row pages of ListOrders back to back on the same omsd.

    .build-venv/bin/python Tools/bench/scan_isolation.py [--omsd PATH] [--omsload PATH] [--orders N]
                                                          [--duration S] [--page-size N]

Starts omsd (the release build by default; omsload must sit beside it unless --omsload is given)
on a temporary data dir with its default threads (one event loop per core), imports --orders
orders through ImportOrders (omsload), then runs h2load against Health/Check (4 connections x 8
streams, --duration seconds, 1 s warm-up) twice: once alone, once while a grpcio client pages
through ListOrders (page_size --page-size, newest first, starting over at the end) for the whole
run. Prints both latency distributions (from h2load's request log) and what the scanning client
got done. A scan that runs on an event loop holds up every Health/Check on that loop for its whole
length; one that runs on the read pool only competes for CPU.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402
import omsd_harness  # noqa: E402
import scale  # noqa: E402


class PagingClient(threading.Thread):
    """Reads ListOrders pages one after another until stopped; keeps each call's latency."""

    def __init__(self, server, stubs, page_size: int):
        super().__init__(daemon=True)
        self.server, self.stubs, self.page_size = server, stubs, page_size
        self.stop_event = threading.Event()
        self.latencies_ms: list[float] = []
        self.rows = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        import grpc

        auth = (("authorization", f"Bearer {self.server.token}"),)
        pb = self.stubs.orders_pb2
        try:
            with grpc.insecure_channel(self.server.address) as channel:
                orders = self.stubs.orders_pb2_grpc.OrderServiceStub(channel)
                token = ""
                while not self.stop_event.is_set():
                    started = time.perf_counter()
                    reply = orders.ListOrders(pb.ListOrdersRequest(page_size=self.page_size, page_token=token),
                                              metadata=auth, timeout=60)
                    self.latencies_ms.append(1000 * (time.perf_counter() - started))
                    self.rows += len(reply.orders)
                    token = reply.next_page_token
        except BaseException as error:  # reported by the caller
            self.error = error


def health_row(server, stubs, workdir: Path, duration: int, label: str) -> dict:
    body = workdir / "health.req"
    body.write_bytes(bench.grpc_frame(bench.read_request_bytes(stubs, bench.HEALTH_PATH)))
    row = bench.run_h2load(f"http://{server.address}{bench.HEALTH_PATH}", body, server.token,
                           workdir / f"h2load-{label}.log", [], server.process.pid,
                           duration=duration, warmup=1, clients=4, streams=8)
    return {k: row[k] for k in ("rps", "p50_us", "p99_us", "p99_9_us", "max_us", "status_2xx") if k in row}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--omsd", type=Path, help="omsd binary (default: the release build)")
    parser.add_argument("--omsload", type=Path, help="omsload binary (default: beside omsd)")
    parser.add_argument("--orders", type=int, default=20_000, help="orders to import first")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each h2load run")
    parser.add_argument("--page-size", type=int, default=1000, help="ListOrders page size")
    args = parser.parse_args()

    binary = args.omsd or omsd_harness.find_omsd_binary("release", None)
    omsload = args.omsload or scale.find_omsload(binary)
    workdir = Path(tempfile.mkdtemp(prefix="omsd-scan-"))
    procs = bench.Processes()
    try:
        stubs = omsd_harness.generate_stubs(workdir / "stubs")
        server = omsd_harness.Omsd(binary, workdir / "data", workdir / "omsd.log", stubs)
        procs.omsd.append(server)
        server.start()
        probe = bench.WriteProbe(server, stubs)
        bench.CreateOrderRows(probe, stubs).setup()
        probe.upsert_customer(scale.SCALE_CUSTOMER)
        probe.close()
        loaded = scale.run_omsload(omsload, [], server, [
            "import-orders", "--customer", scale.SCALE_CUSTOMER, "--sku", bench.ORDER_SKU,
            "--count", str(args.orders), "--prefix", "scan"], timeout=3600)
        if loaded["created"] != args.orders:
            raise RuntimeError(f"ImportOrders created {loaded['created']} of {args.orders}")
        scale.wait_until_idle(server.process.pid)

        alone = health_row(server, stubs, workdir, args.duration, "alone")
        pager = PagingClient(server, stubs, args.page_size)
        pager.start()
        time.sleep(0.5)  # the first page is on its way before h2load starts
        with_scans = health_row(server, stubs, workdir, args.duration, "with-scans")
        pager.stop_event.set()
        pager.join(timeout=120)
        if pager.error:
            raise RuntimeError(f"the ListOrders client failed: {pager.error}")
        pages = sorted(pager.latencies_ms)
        scans = {"pages": len(pages), "rows": pager.rows,
                 "page_p50_ms": round(pages[len(pages) // 2], 2) if pages else None,
                 "page_max_ms": round(pages[-1], 2) if pages else None}
    finally:
        procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)

    def line(name: str, row: dict) -> str:
        return (f"{name:38} {row['rps']:>10,.0f} req/s  p50 {row['p50_us'] / 1000:7.2f} ms  "
                f"p99 {row['p99_us'] / 1000:7.2f} ms  p99.9 {row['p99_9_us'] / 1000:7.2f} ms")

    print(f"omsd {binary} with {args.orders:,} orders; Health/Check via h2load -c 4 -m 8 -D {args.duration}")
    print(line("Health/Check alone", alone))
    print(line(f"Health/Check with ListOrders({args.page_size}) pages", with_scans))
    print(f"{'':38} ListOrders: {scans['pages']} pages ({scans['rows']:,} rows), "
          f"median {scans['page_p50_ms']} ms, slowest {scans['page_max_ms']} ms")
    print(json.dumps({"alone": alone, "with_scans": with_scans, "scans": scans}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
