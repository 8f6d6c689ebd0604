#!/usr/bin/env python3
"""`make bench-compare [BASE=old.json]`: per-row change between two `make bench` results.

    compare.py [--base OLD.json] [--new NEW.json]

NEW defaults to var/bench/latest.json; BASE to the newest run in
runs/ beside NEW that is not NEW itself (so: the run before the latest).
Python standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "var" / "bench"
METRICS = [  # key, label, higher is better
    ("rps", "req/s", True),
    ("p50_us", "p50", False),
    ("p99_us", "p99", False),
    ("p99_9_us", "p99.9", False),
    # Reports rows (SalesReport, calls one after another): p50 is the median, p90 instead of p99.
    ("p90_us", "p90", False),
    # Reads: to the nghttpd ceiling; durable writes: to the single-thread fsync rate of the disk.
    ("ratio", "ratio", True),
    ("commands_per_group", "cmds/group", True),
    # Scale rows: bulk load / catch-up time, start to SERVING, process RSS.
    ("seconds", "time", False),
    ("rss_mb", "RSS", False),
    ("server_cpu_us_per_request", "server CPU/req", False),
]
OTHER_CPU_NOTE_PCT = 15
DEVICE_WRITES_PER_SYNC_NOTE = 6


def value(row: dict, key: str):
    if key == "ratio":
        ratio = row.get("ratio_to_ceiling")
        return ratio if ratio is not None else row.get("ratio_to_fsync")
    if key == "server_cpu_us_per_request" and row.get(key) is None:
        # h2load rows keep omsd's CPU share of the row; per request it is share / rate (as in bench.py's table).
        if row.get("server_cpu_pct") is not None and row.get("rps"):
            return 1e6 * row["server_cpu_pct"] / 100 / row["rps"]
    return row.get(key)


def applies(row: dict, key: str) -> bool:
    """cmds/group only means something for durable writes; keep the other cells empty."""
    if key == "commands_per_group":
        return row.get("kind") == "durable-write"
    if key in ("seconds", "rss_mb", "p90_us"):
        return row.get(key) is not None
    return True


def load(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        sys.exit(f"bench-compare: {path} does not exist (run `make bench` first)")
    except json.JSONDecodeError as e:
        sys.exit(f"bench-compare: {path} is not a bench result: {e}")


def default_base(new: dict, bench_dir: Path) -> Path:
    runs = sorted((bench_dir / "runs").glob("*.json"), reverse=True)
    for run in runs:
        if load(run).get("started_at") != new.get("started_at"):
            return run
    sys.exit("bench-compare: no earlier run in var/bench/runs/; pass BASE=path/to/old.json")


def fmt(key: str, value) -> str:
    if value is None:
        return "-"
    if key == "rps":
        return f"{value:,.0f}"
    if key in ("ratio", "commands_per_group"):
        return f"{value:.2f}"
    if key == "seconds":
        return f"{value:.2f} s"
    if key == "rss_mb":
        return f"{value:.0f} MiB"
    if key == "server_cpu_us_per_request":
        return f"{value:.1f} µs"
    return f"{value / 1000:.3f} ms"


def change(key: str, old, new, higher_is_better: bool) -> str:
    if old in (None, 0) or new is None:
        return ""
    pct = 100.0 * (new - old) / old
    better = (pct > 0) == higher_is_better
    verdict = "" if abs(pct) < 3 else (" better" if better else " worse")
    return f"{pct:+.1f}%{verdict}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="the older result (default: the run before the latest)")
    parser.add_argument("--new", type=Path, default=BENCH_DIR / "latest.json", help="default var/bench/latest.json")
    args = parser.parse_args()

    new = load(args.new)
    base_path = args.base or default_base(new, args.new.parent)
    base = load(base_path)
    print(f"base: {base_path} ({base.get('started_at')}, commit {str((base.get('git') or {}).get('commit'))[:10]})")
    print(f"new:  {args.new} ({new.get('started_at')}, commit {str((new.get('git') or {}).get('commit'))[:10]})")

    for key in ("duration_s", "warmup_s", "clients", "streams_per_client", "pinning", "h2load_version", "writes"):
        old_value, new_value = base.get("config", {}).get(key), new.get("config", {}).get(key)
        if old_value != new_value:
            print(f"note: {key} differs ({old_value} → {new_value}): the runs are not strictly comparable")

    base_rows = {(r["workload"], r["server"]): r for r in base.get("rows", [])}
    header = ["workload", "server"] + [f"{label} (base → new)" for _, label, _ in METRICS]
    table = []
    for row in new.get("rows", []):
        old = base_rows.pop((row["workload"], row["server"]), None)
        cells = [row["workload"], row["server"]]
        for key, _, higher in METRICS:
            if not applies(row, key):
                cells.append("")
            elif old is None:
                cells.append(f"new: {fmt(key, value(row, key))}")
            else:
                delta = change(key, value(old, key), value(row, key), higher)
                cells.append(f"{fmt(key, value(old, key))} → {fmt(key, value(row, key))} {delta}".rstrip())
        table.append(cells)
    for (workload, server), old in base_rows.items():
        table.append([workload, server] + ["gone" for _ in METRICS])

    widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(header)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in table:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |")
    for label, result in (("base", base), ("new", new)):
        for row in result.get("rows", []):
            if (row.get("other_cpu_pct") or 0) > OTHER_CPU_NOTE_PCT:
                print(f"note: {label} {row['workload']} on {row['server']} ran while other processes used "
                      f"{row['other_cpu_pct']:.0f}% of a core: not a clean measurement")
            if (row.get("device_write_ios_per_sync") or 0) > DEVICE_WRITES_PER_SYNC_NOTE:
                print(f"note: {label} {row['workload']}: {row['device_write_ios_per_sync']:.1f} disk write I/Os per "
                      f"sync, another process was writing to the disk")
            if row.get("kind") == "durable-write" and row.get("writes_verified") is False:
                print(f"note: {label} {row['workload']}: not every 2xx was a durable write")
            target = row.get("target")
            if target and "min_ratio_to_fsync" not in target:  # scale and reports rows: met or not
                print(f"{label}: {row['workload']}: target {'met' if target.get('met') else 'NOT met'}")
            elif target:
                print(f"{label}: {row['workload']} vs issue 8's target: ≥ {target['min_ratio_to_fsync']:g}× fsync "
                      f"{'met' if target['ratio_met'] else 'not met'} ({row['ratio_to_fsync']:.2f}×), p99 < "
                      f"{target['max_p99_us'] / 1000:g} ms {'met' if target['p99_met'] else 'not met'} "
                      f"({row['p99_us'] / 1000:.3f} ms)")
        gc = result.get("group_commit")
        if gc:
            print(f"{label}: omsd group commit: {gc['write_commands']:,} commands in {gc['write_groups']:,} groups "
                  f"({gc['commands_per_group']} per group), largest {gc['max_group_size']}")
        if result.get("omsd_error"):
            print(f"\n{label}: omsd rows missing: {result['omsd_error'].splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
