"""Benchmark: a responses CSV through the full ingest path, against a plain-pandas baseline.

Both sides do the same job on the same file, in the same run, each in a fresh process (so
peak memory is its own): parse the CSV, validate every row (id, timestamp in the workspace
zone, score ranges, channel and touchpoint known and consistent), pseudonymise the customer
with HMAC-SHA256, mask phone numbers and e-mails in comments, and store the result in DuckDB.

- touchpoints: ``touchpoints.ingest.ingest_file`` into a fresh workspace (also deduplicates,
  quarantines with reasons and records identities, which the baseline does not).
- baseline: what a competent Python user writes without us: ``pandas.read_csv`` (all
  columns as text), a loop over the rows validating each one with precompiled patterns and
  set lookups, then one bulk insert of the valid frame into DuckDB.

    python benchmarks/ingest.py --rows 1000000          # prints JSON; see RESULTS.md
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from harness import machine, measure

TOUCHPOINTS = {
    "web_search": "web",
    "web_checkout": "web",
    "app_delivery": "app",
    "store_checkout": "store",
    "store_staff": "store",
    "hotline_support": "call_center",
}
COMMENTS = [
    "收银台排队等了{n}分钟，太慢了",
    "店员态度很好，{n}号店员帮我找到了尺码",
    "Delivery took {n} days, courier was friendly",
    "Payment failed twice, had to retry after {n} minutes",
    "物流很快，包装完好",
    "Great app, easy to find what I need",
    "价格比上次贵了{n}元",
    "",
]


def _chunk(start: int, rows: int, people: int, rng: np.random.Generator) -> pa.Table:
    """Rows ``start`` … ``start + rows - 1`` of the file."""
    ids = np.char.add("R", np.arange(start, start + rows).astype(str))
    seconds = rng.integers(0, 365 * 24 * 3600, rows).astype("timedelta64[s]")
    ts = np.char.replace((np.datetime64("2025-01-01T00:00:00") + seconds).astype(str), "T", " ")
    which = rng.integers(0, len(TOUCHPOINTS), rows)
    tps = np.array(list(TOUCHPOINTS))[which]
    channels = np.array(list(TOUCHPOINTS.values()))[which]
    person = rng.integers(0, people, rows)
    customers = np.where(
        person % 3 == 0,
        np.char.add("1380", np.char.zfill(person.astype(str), 7)),
        np.char.add("member-", person.astype(str)),
    )
    templates = np.array(COMMENTS)[rng.integers(0, len(COMMENTS), rows)]
    numbers = rng.integers(2, 90, rows).astype(str)
    comments = np.array([t.replace("{n}", n) for t, n in zip(templates, numbers, strict=True)])
    pii = rng.random(rows) < 0.01
    comments[pii] = np.char.add(comments[pii], " 联系我 13912345678 / me@example.com")
    nps = rng.integers(0, 11, rows).astype(str)
    bad = rng.random(rows) < 0.02
    kind = rng.integers(0, 3, rows)
    nps[bad & (kind == 0)] = "11"
    ts[bad & (kind == 1)] = "2025-13-01 10:00"
    tps[bad & (kind == 2)] = "chekout"
    return pa.table(
        {
            "response_id": ids,
            "ts": ts,
            "customer": customers,
            "channel": channels,
            "touchpoint": tps,
            "nps": nps,
            "csat": rng.integers(1, 6, rows).astype(str),
            "ces": rng.integers(1, 8, rows).astype(str),
            "comment": comments,
            "region": np.array(["华东", "华北", "华南", "西部"])[rng.integers(0, 4, rows)],
            "segment": np.array(["vip", "regular", "potential"])[rng.integers(0, 3, rows)],
        }
    )


def make_file(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic export: 1 in 50 rows bad, 1 in 100 comments with a phone or e-mail; CSV
    or Parquet by the suffix, written a million rows at a time."""
    rng = np.random.default_rng(seed)
    writer: Any = None
    for start in range(0, rows, 1_000_000):
        table = _chunk(start, min(1_000_000, rows - start), max(rows // 4, 1), rng)
        if writer is None:
            parquet = path.suffix == ".parquet"
            writer = (pq.ParquetWriter if parquet else pacsv.CSVWriter)(path, table.schema)
        writer.write_table(table)
    writer.close()


def run_touchpoints(path: Path, workdir: Path) -> dict[str, Any]:
    from touchpoints.ingest import ingest_file
    from touchpoints.services.workspace import Workspace, init_workspace

    init_workspace(workdir / "ws")
    workspace = Workspace.open(workdir / "ws")
    started = time.perf_counter()
    result = ingest_file(workspace, path, kind="responses")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "stored": result.accepted, "refused": result.quarantined}


_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_NUMBER = re.compile(r"^\s*(\d+)")


def run_baseline(path: Path, workdir: Path) -> dict[str, Any]:
    import duckdb
    import pandas as pd

    key = b"k" * 32
    zone = ZoneInfo("Asia/Shanghai")
    utc = ZoneInfo("UTC")
    channels = set(TOUCHPOINTS.values())
    started = time.perf_counter()
    frame = (
        pd.read_parquet(path)
        if path.suffix == ".parquet"
        else pd.read_csv(path, dtype=str, keep_default_na=False)
    )
    good: list[tuple[Any, ...]] = []
    refused = 0
    for row in frame.itertuples(index=False):
        try:
            if not row.response_id:
                raise ValueError("response_id")
            ts = datetime.strptime(row.ts, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).astimezone(utc)
            scores = []
            for value, low, high in ((row.nps, 0, 10), (row.csat, 1, 5), (row.ces, 1, 7)):
                match = _NUMBER.match(value)
                score = int(match.group(1)) if match else None
                if value and (score is None or not low <= score <= high):
                    raise ValueError("score")
                scores.append(score)
            if row.touchpoint not in TOUCHPOINTS or row.channel not in channels:
                raise ValueError("touchpoint")
            if TOUCHPOINTS[row.touchpoint] != row.channel:
                raise ValueError("channel")
        except ValueError:
            refused += 1
            continue
        customer = (
            "cx_" + hmac.digest(key, row.customer.strip().encode(), hashlib.sha256).hex()[:16]
        )
        comment = _EMAIL.sub("[email]", _PHONE.sub("[phone]", row.comment))
        good.append(
            (
                row.response_id,
                ts,
                customer,
                row.channel,
                row.touchpoint,
                *scores,
                comment,
                row.region,
                row.segment,
            )
        )
    columns = [
        "response_id",
        "ts",
        "customer",
        "channel",
        "touchpoint",
        "nps",
        "csat",
        "ces",
        "comment",
        "region",
        "segment",
    ]
    valid = pd.DataFrame(good, columns=columns)
    con = duckdb.connect(str(workdir / "baseline.duckdb"))
    con.execute("CREATE TABLE responses AS SELECT * FROM valid")
    con.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "stored": len(valid), "refused": refused}


def _in_workdir(side: str, path: str, previous: str | None = None) -> dict[str, Any]:
    """One side on the file, in a scratch folder of its own. ``previous`` runs touchpoints
    from another checkout's ``src`` (the code before a change), in this fresh process."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{side}-"))
    if side == "previous" and previous:
        sys.path.insert(0, previous)
    try:
        run = run_baseline if side == "baseline" else run_touchpoints
        return run(Path(path), workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per side; the best is kept")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--sides",
        default="touchpoints,baseline",
        help="which to run (the baseline needs "
        "about 2 GB per million rows: pandas holds the whole file as Python strings)",
    )
    parser.add_argument(
        "--previous",
        help="the src folder of an earlier checkout, run as the side 'previous' (e.g. a git "
        "worktree of the commit before bounded-memory ingest)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        path = Path(tmp) / f"responses.{args.format}"
        make_file(path, args.rows)
        results: dict[str, Any] = {
            "rows": args.rows,
            "format": args.format,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "machine": machine(),
        }
        for name in args.sides.split(","):
            runs = [
                measure(_in_workdir, name, str(path), args.previous) for _ in range(args.repeat)
            ]
            best = min(runs, key=lambda r: r["seconds"])
            best["rows_per_s"] = round(args.rows / best["seconds"])
            best["seconds"] = round(best["seconds"], 2)
            best["runs_s"] = sorted(round(r["seconds"], 2) for r in runs)
            results[name] = best
        if "baseline" in results and "touchpoints" in results:
            results["speedup"] = round(
                results["baseline"]["seconds"] / results["touchpoints"]["seconds"], 1
            )
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
