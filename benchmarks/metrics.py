"""Benchmark: `touchpoints metrics --by channel,touchpoint --period week` over 10M responses.

The warehouse is filled once with synthetic responses (SQL in DuckDB, fixed seed) on the demo's
model: 2,000,000 customers with 5 answers each. Then, each in a fresh process so peak memory is
its own:

- touchpoints: the library call `ws.metrics(…)` (engine grouping by customer, then by group, and
  the customer-clustered estimates), and the whole command line as a user runs it
  (`touchpoints metrics … --format json`, process start included);
- previous (with `--previous SRC`): the same library call from an earlier checkout's `src`,
  the independent-answers path before customers were clusters: what clustering costs;
- baseline: what a pandas user writes: load the responses into a DataFrame, convert times to the
  workspace zone, group by channel, touchpoint and week, count, and score each group with the
  same estimate functions. Load and compute are timed apart, and the same code is also run as a
  script, process start included, beside the command line;
- baseline, clustered: the same pandas user asked for customer-clustered intervals: one
  `groupby` by group and customer for the customers' sums, a second by group for the sums of
  their squares and products, then the same estimate functions.

    python benchmarks/metrics.py --rows 10000000 --previous /tmp/before/src
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

from harness import machine, measure

from touchpoints.demo.generate import TOUCHPOINTS
from touchpoints.services.workspace import Workspace, init_workspace


def build(root: Path, rows: int) -> None:
    init_workspace(root, model_text=files("touchpoints.demo").joinpath("model.yaml").read_text())
    pairs = ", ".join(f"('{tp}', '{channel}')" for tp, (channel, _, _) in TOUCHPOINTS.items())
    with Workspace.open(root).warehouse(write=True) as warehouse:
        con = warehouse.con
        con.execute("SELECT setseed(0.42)")
        con.execute(
            f"CREATE TEMP TABLE tps AS SELECT * FROM (VALUES {pairs}) t(touchpoint, channel)"
        )
        con.execute(
            "CREATE TEMP TABLE numbered AS SELECT row_number() OVER () - 1 AS i, * FROM tps"
        )
        con.execute(
            f"""
            INSERT INTO responses
            SELECT 'R' || r.range, TIMESTAMPTZ '2025-01-01 00:00:00+00'
                       + to_seconds(CAST(random() * 365 * 86400 AS BIGINT)),
                   'cx_' || lpad(CAST(r.range % 2000000 AS VARCHAR), 16, '0'),
                   n.channel, n.touchpoint,
                   CASE WHEN random() < 0.95 THEN CAST(floor(random() * 11) AS SMALLINT) END,
                   CAST(1 + floor(random() * 5) AS SMALLINT),
                   CASE WHEN random() < 0.6 THEN CAST(1 + floor(random() * 7) AS SMALLINT) END,
                   NULL, NULL, 'regular', '华东', NULL, 'YueGou 悦购', 1
            FROM range({rows}) r JOIN numbered n ON n.i = r.range % {len(TOUCHPOINTS)}
            """
        )


def run_service(root: str) -> dict[str, Any]:
    workspace = Workspace.open(Path(root))
    started = time.perf_counter()
    result = workspace.metrics(by=("channel", "touchpoint"), period="week")
    return {"seconds": time.perf_counter() - started, "groups": len(result.rows)}


def weekly(root: str, columns: str) -> Any:
    """The responses' ``columns`` as a pandas user loads them, with channel, touchpoint and
    the local week (the load is timed with the baseline)."""
    workspace = Workspace.open(Path(root))
    with workspace.warehouse() as warehouse:
        frame = warehouse.con.execute(
            f"SELECT ts, channel, touchpoint, {columns} FROM responses"
        ).df()
    local = frame["ts"].dt.tz_convert(workspace.model.timezone).dt.tz_localize(None)
    frame["week"] = local.dt.to_period("W-SUN").dt.start_time
    return frame


def run_baseline(root: str) -> dict[str, Any]:

    from touchpoints.core.metrics import mean_from_moments, nps_from_counts, proportion_from_counts

    started = time.perf_counter()
    frame = weekly(root, "nps, csat, ces")
    loaded = time.perf_counter()
    frame["promoter"] = frame["nps"] >= 9
    frame["detractor"] = frame["nps"] <= 6
    frame["top"] = frame["csat"] >= 4
    frame["agree"] = frame["ces"] >= 5
    grouped = frame.groupby(["channel", "touchpoint", "week"], observed=True).agg(
        n=("ts", "size"),
        n_nps=("nps", "count"),
        promoters=("promoter", "sum"),
        detractors=("detractor", "sum"),
        n_csat=("csat", "count"),
        top=("top", "sum"),
        csat_mean=("csat", "mean"),
        csat_sd=("csat", "std"),
        n_ces=("ces", "count"),
        agree=("agree", "sum"),
        ces_mean=("ces", "mean"),
        ces_sd=("ces", "std"),
    )
    rows = []
    for key, g in grouped.iterrows():
        rows.append(
            (
                key,
                nps_from_counts(
                    int(g.promoters), int(g.n_nps - g.promoters - g.detractors), int(g.detractors)
                ),
                proportion_from_counts(int(g.top), int(g.n_csat)),
                mean_from_moments(int(g.n_csat), float(g.csat_mean), float(g.csat_sd)),
                mean_from_moments(int(g.n_ces), float(g.ces_mean), float(g.ces_sd)),
                proportion_from_counts(int(g.agree), int(g.n_ces)),
            )
        )
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "load_seconds": loaded - started,
        "compute_seconds": done - loaded,
        "groups": len(rows),
    }


def run_baseline_clustered(root: str) -> dict[str, Any]:
    """The pandas path with customer-clustered intervals (METRICS.md, *Inference*)."""
    from touchpoints.core.metrics import nps_from_counts, proportion_from_counts
    from touchpoints.core.metrics.clustered import ClusterSums

    started = time.perf_counter()
    frame = weekly(root, "customer, nps, csat")
    loaded = time.perf_counter()
    frame["score"] = (frame["nps"] >= 9).astype(float) - (frame["nps"] <= 6).astype(float)
    frame.loc[frame["nps"].isna(), "score"] = float("nan")
    frame["top"] = (frame["csat"] >= 4).astype(float)
    keys = ["channel", "touchpoint", "week"]
    per = frame.groupby([*keys, "customer"], observed=True).agg(
        n_nps=("nps", "count"),
        s_nps=("score", "sum"),
        n_csat=("csat", "count"),
        s_top=("top", "sum"),
    )
    for figure, count in (("nps", "n_nps"), ("top", "n_csat")):
        per[f"ss_{figure}"] = per[f"s_{figure}"] ** 2
        per[f"sn_{figure}"] = per[f"s_{figure}"] * per[count]
        per[f"nn_{figure}"] = per[count] ** 2
        per[f"c_{figure}"] = per[count] > 0
    grouped = per.groupby(level=keys, observed=True).sum()
    squares = frame.assign(sq=frame["score"] ** 2).groupby(keys, observed=True)["sq"].sum()
    rows = []
    for key, g in grouped.iterrows():
        nps_sums = ClusterSums(
            int(g.n_nps), g.s_nps, squares[key], int(g.c_nps), g.ss_nps, g.sn_nps, g.nn_nps
        )
        top_sums = ClusterSums(
            int(g.n_csat), g.s_top, g.s_top, int(g.c_top), g.ss_top, g.sn_top, g.nn_top
        )
        promoters = round((g.s_nps + squares[key]) / 2)
        detractors = round(squares[key]) - promoters
        rows.append(
            (
                key,
                nps_from_counts(
                    promoters,
                    int(g.n_nps) - promoters - detractors,
                    detractors,
                    clustered=nps_sums,
                ),
                proportion_from_counts(int(g.s_top), int(g.n_csat), clustered=top_sums),
            )
        )
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "load_seconds": loaded - started,
        "compute_seconds": done - loaded,
        "groups": len(rows),
        "figures": "NPS and CSAT % only (the other three would add to its time)",
    }


def run_previous(root: str, source: str) -> dict[str, Any]:
    """The library call from an earlier checkout's ``src``, in a process of its own that
    imports touchpoints from there: the independent-answers path."""
    code = (
        f"import sys, time, json, resource; sys.path.insert(0, {source!r}); "
        "from pathlib import Path; from touchpoints.services.workspace import Workspace; "
        f"w = Workspace.open(Path({root!r})); t = time.perf_counter(); "
        "r = w.metrics(by=('channel', 'touchpoint'), period='week'); "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'groups': len(r.rows), "
        "'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    out: dict[str, Any] = json.loads(found.strip().splitlines()[-1])
    return out


def command_line(root: Path) -> float:
    """`touchpoints metrics` as a user runs it: process start and imports included."""
    command = ["-m", "touchpoints", "metrics", "-w", str(root), "--by", "channel,touchpoint"]
    return _timed_process([*command, "--period", "week", "--format", "json"])


def index_command(root: Path) -> float:
    """`touchpoints index` over the same warehouse: the MTSI with its bootstrap, for scale."""
    return _timed_process(["-m", "touchpoints", "index", "-w", str(root), "--format", "json"])


def baseline_script(root: Path) -> float:
    """The pandas path as a script, process start and imports included, for a like-for-like
    ratio with the command line."""
    here = str(Path(__file__).parent)
    code = (
        f"import sys; sys.path.insert(0, {here!r}); import metrics; "
        f"metrics.run_baseline({str(root)!r})"
    )
    return _timed_process(["-c", code])


def _timed_process(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def middle(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (the lower middle one of an even count)."""
    return sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median is kept")
    parser.add_argument(
        "--previous",
        help="the src folder of an earlier checkout, run as the side 'previous' (e.g. a git "
        "worktree of the commit before customers were clusters)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        started = time.perf_counter()
        build(root, args.rows)
        results: dict[str, Any] = {
            "rows": args.rows,
            "build_seconds": round(time.perf_counter() - started, 1),
            "machine": machine(),
        }
        sides = {
            "touchpoints": run_service,
            "baseline": run_baseline,
            "baseline_clustered": run_baseline_clustered,
        }
        for name, side in sides.items():
            best = middle([measure(side, str(root)) for _ in range(args.repeat)])
            results[name] = {k: round(v, 2) if isinstance(v, float) else v for k, v in best.items()}
        if args.previous:
            best = middle([run_previous(str(root), args.previous) for _ in range(args.repeat)])
            results["previous"] = {k: round(v, 2) for k, v in best.items()}
            results["cost_of_clustering"] = round(
                results["touchpoints"]["seconds"] / results["previous"]["seconds"], 2
            )
        results["command_line_seconds"] = round(
            statistics.median(command_line(root) for _ in range(args.repeat)), 2
        )
        results["index_command_seconds"] = round(
            statistics.median(index_command(root) for _ in range(args.repeat)), 2
        )
        results["baseline_script_seconds"] = round(
            statistics.median(baseline_script(root) for _ in range(args.repeat)), 2
        )
        results["speedup_end_to_end"] = round(
            results["baseline_script_seconds"] / results["command_line_seconds"], 1
        )
        results["speedup"] = round(
            results["baseline"]["seconds"] / results["touchpoints"]["seconds"], 1
        )
        results["speedup_compute_only"] = round(
            results["baseline"]["compute_seconds"] / results["touchpoints"]["seconds"], 1
        )
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
