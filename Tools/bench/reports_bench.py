#!/usr/bin/env python3
"""`make bench`, reports section: SalesReport by day x channel over 90 days at
10,000 and at 1,000,000 orders.

The orders are loaded by `oms-reports-bench` (Tools/reports-bench), which
drives the domain API in-process: Orders.create on the single writer with
group commit, every order's rollups written in the same batch, exactly as
CreateOrder and ImportOrders do. It uses a manual clock so the orders spread
over 90 simulated days: no RPC can place an order in the past (ImportOrders
stamps every order with the server's clock), and a report over 90 days of
orders all placed in the last minute would read almost nothing.

  1. `swift build -c release --product oms-reports-bench`
  2. a fresh database; 10,000 orders over days 0-89 (2026-01-01 .. 03-31);
     SalesReport{period DAY, dimension CHANNEL} over those 90 days, run 200
     times in-process, median and p90;
  3. 990,000 more orders over days 90-179 (1,000,000 in the database); the
     same report over days 90-179 (990,000 orders in the range);
  4. after each timing, a CSV export of sales by day x customer over the
     same range (about one row per order: ~1M rows at 1M), chunks dropped,
     with the encoder's largest buffer and the growth of resident memory;
  5. prints the loading rates, both timings and cost(1M)/cost(10k), checks
     the targets (< 50 ms at 1M, ratio <= 1.5) and writes var/bench/reports.json.

Run alone: python3 Tools/bench/reports_bench.py [--small N] [--large N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 50.0
TARGET_RATIO = 1.5


def build(scratch_path: str | None = None) -> Path:
    command = ["swift", "build", "-c", "release", "--product", "oms-reports-bench"]
    if scratch_path:
        command += ["--scratch-path", scratch_path]
    subprocess.run(command, cwd=REPO_ROOT, check=True)
    binary = subprocess.run(command + ["--show-bin-path"], cwd=REPO_ROOT, check=True, capture_output=True, text=True)
    return Path(binary.stdout.strip()) / "oms-reports-bench"


def load_and_time(binary: Path, db: Path, orders: int, first_day: int, days: int, runs: int) -> dict:
    started = time.monotonic()
    out = subprocess.run(
        [str(binary), str(db), str(orders), str(first_day), str(days), str(runs)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.monotonic() - started
    return result


def run(out_dir: Path | None = None, small: int = 10_000, large: int = 1_000_000, runs: int = 200,
        scratch_path: str | None = None, keep: bool = False) -> dict:
    """The whole section; prints its table and returns the results."""
    print("\nreports: building oms-reports-bench (release)", flush=True)
    binary = build(scratch_path)
    workdir = Path(tempfile.mkdtemp(prefix="oms-reports-bench-"))
    try:
        db = workdir / "db"
        print(f"reports: loading {small:,} orders over 90 days", flush=True)
        first = load_and_time(binary, db, small, 0, 90, runs)
        print(f"reports: loading {large - small:,} more orders over the next 90 days ({large:,} in total)", flush=True)
        second = load_and_time(binary, db, large - small, 90, 90, runs)
    finally:
        if keep:
            print(f"reports: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = second["report_ms_median"] / first["report_ms_median"]
    result = {
        "small": first, "large": second, "orders_total": large,
        "ratio_median": ratio,
        "target_ms": TARGET_MS, "target_ratio": TARGET_RATIO,
        "met_ms": second["report_ms_median"] < TARGET_MS, "met_ratio": ratio <= TARGET_RATIO,
        "how": "in-process domain API loader with a manual clock (Tools/reports-bench); report timed in-process, "
               "SalesReport{DAY, CHANNEL} over 90 days, UTC, median of %d runs" % runs,
    }
    print()
    print("SalesReport by day x channel, 90 days (UTC), in-process, median / p90 of %d runs" % runs)
    print(f"{'orders in db':>14} {'in range':>10} {'load rate':>12} {'rows read':>10} {'median':>9} {'p90':>9}")
    for label, r, total in (("small", first, small), ("large", second, large)):
        print(f"{total:>14,} {r['orders_in_report']:>10,} {r['load_rate_per_second']:>10,.0f}/s "
              f"{r['rollup_rows_read']:>10,} {r['report_ms_median']:>7.2f}ms {r['report_ms_p90']:>7.2f}ms")
    print(f"cost(1M)/cost(10k) = {ratio:.2f} (target <= {TARGET_RATIO}: {'met' if result['met_ratio'] else 'NOT met'}); "
          f"{second['report_ms_median']:.2f} ms at 1M (target < {TARGET_MS:g} ms: {'met' if result['met_ms'] else 'NOT met'})")
    for label, r in (("10k", first), ("1M", second)):
        print(f"same report in America/New_York (half-hour rows), {label}: {r['zoned_rollup_rows_read']:,} rows read, "
              f"{r['zoned_report_ms_median']:.2f} ms median")
    for label, r in (("10k", first), ("1M", second)):
        print(f"export CSV, sales by day x customer, {label}: {r['export_csv_rows']:,} rows, "
              f"{r['export_csv_bytes'] / 1e6:,.1f} MB in {r['export_chunks']:,} chunks, {r['export_seconds']:.1f} s; "
              f"at most {r['export_max_buffered_bytes'] / 1024:,.0f} KiB buffered, resident memory grew "
              f"{r['export_rss_growth_bytes'] / 1e6:,.1f} MB")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "reports.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"reports: results in {out_dir / 'reports.json'}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--scratch-path")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "var" / "bench")
    args = parser.parse_args()
    result = run(args.out_dir, args.small, args.large, args.runs, args.scratch_path, args.keep)
    return 0 if result["met_ms"] and result["met_ratio"] else 1


if __name__ == "__main__":
    sys.exit(main())
