#!/usr/bin/env python3
"""`make bench`, bulk stock section: InventoryService.BulkAdjustStock of 100,000
rows, 1 % of them invalid, through `omsctl stock import` (client streaming on
OMSClient), against a release omsd of its own.

  1. `swift build -c release --product omsd --product omsctl`
  2. omsd on a free port with a temporary data dir; `omsctl warehouses create BENCH`
  3. `omsctl stock generate-csv bulk.csv --rows N --invalid-every 100`: every
     100th row has delta 0, which BulkAdjustStock must refuse on its own
  4. `omsctl stock import bulk.csv -o csv`: the failed rows come back as CSV;
     the check is that exactly the generated invalid lines failed (by line
     number) and that every other row was applied (the "applied" count, and
     the on-hand total of the BENCH skus)
  5. prints rows/s (wall time of the import, from omsctl) and writes
     var/bench/bulk_stock.json

Run alone: python3 Tools/bench/bulk_stock_bench.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INVALID_EVERY = 100


def build(scratch_path: str | None) -> Path:
    command = ["swift", "build", "-c", "release", "--product", "omsd"]
    extra = ["--scratch-path", scratch_path] if scratch_path else []
    subprocess.run(command + extra, cwd=REPO_ROOT, check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "omsctl"] + extra, cwd=REPO_ROOT, check=True)
    out = subprocess.run(command + extra + ["--show-bin-path"], cwd=REPO_ROOT, check=True, capture_output=True,
                         text=True)
    return Path(out.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(out_dir: Path | None = None, rows: int = 100_000, scratch_path: str | None = None,
        bin_dir: Path | None = None) -> dict:
    """The section; `bin_dir` holds release omsd and omsctl already built (make bench), else it builds them."""
    if bin_dir is None:
        print(f"\nbulk stock: building omsd and omsctl (release)", flush=True)
        bin_dir = build(scratch_path)
    workdir = Path(tempfile.mkdtemp(prefix="oms-bulk-bench-"))
    port = free_port()
    address = f"127.0.0.1:{port}"
    log = open(workdir / "omsd.log", "wb")
    omsd = subprocess.Popen(
        [str(bin_dir / "omsd"), "serve", "--listen", address, "--data-dir", str(workdir / "data")],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        flags = ["--address", address, "--token-file", str(workdir / "data" / "admin.token")]

        def omsctl(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
            result = subprocess.run([str(bin_dir / "omsctl"), *arguments, *flags], capture_output=True, text=True)
            if check and result.returncode != 0:
                raise RuntimeError(f"omsctl {' '.join(arguments)} exited {result.returncode}: {result.stderr}")
            return result

        deadline = time.monotonic() + 30
        while subprocess.run([str(bin_dir / "omsctl"), "health", "--address", address],
                             capture_output=True).returncode != 0:
            if omsd.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"omsd did not start: {(workdir / 'omsd.log').read_text()[-2000:]}")
            time.sleep(0.1)
        omsctl("warehouses", "create", "BENCH", "--name", "Bulk bench")
        csv_path = workdir / "bulk.csv"
        subprocess.run([str(bin_dir / "omsctl"), "stock", "generate-csv", str(csv_path), "--rows", str(rows),
                        "--invalid-every", str(INVALID_EVERY)], check=True, capture_output=True)
        expected_lines = {index + 1 for index in range(1, rows + 1) if index % INVALID_EVERY == 0}

        print(f"bulk stock: omsctl stock import of {rows:,} rows ({len(expected_lines):,} invalid)", flush=True)
        started = time.monotonic()
        imported = omsctl("stock", "import", str(csv_path), "-o", "csv", check=False)
        wall = time.monotonic() - started
        failed = list(csv.DictReader(io.StringIO(imported.stdout)))
        failed_lines = {int(row["line"]) for row in failed}
        summary = re.search(r"(\d+) of (\d+) rows applied, (\d+) failed, in ([\d.]+) s \((\d+) rows/s\)",
                            imported.stderr)
        if imported.returncode != 6 or summary is None:
            raise RuntimeError(f"omsctl stock import exited {imported.returncode}: {imported.stderr[-2000:]}")
        applied, total, failures, seconds, rate = (int(summary[1]), int(summary[2]), int(summary[3]),
                                                   float(summary[4]), int(summary[5]))
        listing = json.loads(omsctl("stock", "list", "--warehouse", "BENCH", "-o", "json").stdout)
        on_hand = sum(level.get("onHand", 0) for level in listing) if isinstance(listing, list) else None
        checks = {
            "failed_lines_exact": failed_lines == expected_lines,
            "applied_count": applied == rows - len(expected_lines) and total == rows and failures == len(expected_lines),
            "on_hand_total": on_hand == rows - len(expected_lines),
        }
        result = {
            "rows": rows, "invalid": len(expected_lines), "applied": applied, "failed": failures,
            "seconds": seconds, "rows_per_second": rate, "wall_seconds": wall, "on_hand_total": on_hand,
            "checks": checks, "verified": all(checks.values()),
            "how": "omsctl stock import (OMSClient client stream of BulkAdjustStock rows) against a release omsd",
        }
    finally:
        omsd.terminate()
        try:
            omsd.wait(timeout=30)
        except subprocess.TimeoutExpired:
            omsd.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"BulkAdjustStock: {rows:,} rows ({result['invalid']:,} invalid) in {result['seconds']:.2f} s = "
          f"{result['rows_per_second']:,} rows/s; {result['applied']:,} applied, {result['failed']:,} reported "
          f"failed; check: {'exactly the invalid rows failed, on hand = applied rows' if result['verified'] else checks}")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "bulk_stock.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scratch-path")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "var" / "bench")
    args = parser.parse_args()
    return 0 if run(args.out_dir, args.rows, args.scratch_path)["verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
