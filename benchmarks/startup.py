"""Benchmark: whole-process start-up and small-query times of the `touchpoints` command line.

Every figure is the wall time of a fresh process, interpreter start and imports included, as a
user waits for it. The two sides of each case run alternately in the same run (A, B, A, B, …),
so that a slow spell of the machine hits both; the table shows their medians with min and max.

- touchpoints: the console script next to this interpreter (``touchpoints --help``,
  ``status``, ``metrics …``), called by command line only, so that this file does not depend
  on the package's internal modules;
- baseline: the least a Python user can do for the same answer: ``python -c pass`` for
  ``--help``, and for the queries a bare DuckDB process (``python -c`` importing only duckdb)
  that opens the same warehouse file read-only and runs the same aggregate SQL on the same
  rows (own brand: ``brand IS NULL OR lower(brand) = lower(name)``; weeks in the workspace's
  zone): since issue 16, the two grouped passes of customer-clustered figures (per group
  and customer, then per group), written as a DuckDB user would.

Targets: ``--help`` and ``status`` on the demo under 0.5 s, ``metrics --by channel`` on the
demo under 1 s, and ``metrics`` over ~5M responses within 2x of the bare DuckDB process.

    python benchmarks/startup.py                      # builds both workspaces (minutes)
    python benchmarks/startup.py --demo /tmp/bench-demo --big /tmp/bench-big --repeat 7
    python benchmarks/startup.py --skip-big           # the small cases only
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from harness import machine

TOUCHPOINTS = Path(sys.executable).parent / "touchpoints"

# What `touchpoints metrics` asks the engine for: per group and customer (the linked one, else
# the pseudonym, else the response alone) the counts and sums of each figure; then per group
# their totals and the squares and products the customer-clustered variances need.
PER_CUSTOMER = """
    count(*) AS n, count(nps) AS n_nps,
    count_if(nps >= 9) AS promoters, count_if(nps <= 6) AS detractors,
    count(csat) AS n_csat, count_if(csat >= 4) AS csat_top,
    sum(csat) AS csat_sum, sum(csat * csat) AS csat_sumsq,
    count(ces) AS n_ces, count_if(ces >= 5) AS ces_agree,
    sum(ces) AS ces_sum, sum(ces * ces) AS ces_sumsq
"""
PER_GROUP = """
    sum(n), count(*) AS customers, sum(n_nps), sum(promoters), sum(detractors),
    sum(n_csat), sum(csat_top), sum(csat_sum), sum(csat_sumsq),
    sum(n_ces), sum(ces_agree), sum(ces_sum), sum(ces_sumsq),
    sum((promoters - detractors) ^ 2), sum((promoters - detractors) * n_nps),
    sum(n_nps ^ 2), count_if(n_nps > 0),
    sum(csat_top ^ 2), sum(csat_top * n_csat), sum(csat_sum ^ 2), sum(csat_sum * n_csat),
    sum(n_csat ^ 2), count_if(n_csat > 0),
    sum(ces_agree ^ 2), sum(ces_agree * n_ces), sum(ces_sum ^ 2), sum(ces_sum * n_ces),
    sum(n_ces ^ 2), count_if(n_ces > 0)
"""
OWN_BRAND = "brand IS NULL OR lower(brand) = lower($name)"
CUSTOMER = (
    "SELECT r.*, COALESCE(i.customer_key, r.customer, 'response|' || r.response_id) AS who "
    f"FROM responses r LEFT JOIN identities i ON i.pseudonym = r.customer WHERE {OWN_BRAND}"
)


def clustered(keys: str = "", key_columns: str = "") -> str:
    """The two grouped passes over our brand's answers, by ``keys`` (SQL expressions named
    ``key_columns``) when given."""
    inner = f"SELECT {keys + ', ' if keys else ''}who, {PER_CUSTOMER} FROM ({CUSTOMER}) "
    inner += f"GROUP BY {key_columns + ', ' if key_columns else ''}who"
    outer = f"SELECT {key_columns + ', ' if key_columns else ''}{PER_GROUP} FROM ({inner})"
    if key_columns:
        outer += f" GROUP BY {key_columns} ORDER BY {key_columns}"
    return outer


METRICS_SQL = clustered()
BY_CHANNEL_SQL = clustered("channel", "channel")
BY_CHANNEL_WEEK_SQL = clustered(
    "channel, date_trunc('week', timezone($zone, ts)) AS period", "channel, period"
)

# What `touchpoints status` reads: rows and time range per kind, quarantine by kind, ingests.
KIND_TIMES = {
    "responses": "ts",
    "interactions": "ts",
    "tickets": "created_at",
    "reviews": "ts",
    "orders": "ts",
    "customers": "join_date",
    "channel_costs": "period_start",
}
STATUS_SQL = " UNION ALL ".join(
    f"SELECT '{table}' AS kind, count(*) AS n, CAST(min({ts}) AS VARCHAR) AS first, "
    f"CAST(max({ts}) AS VARCHAR) AS last FROM {table}"
    for table, ts in KIND_TIMES.items()
) + (
    " UNION ALL SELECT kind, count(*), NULL, NULL FROM quarantine GROUP BY kind"
    " UNION ALL SELECT 'ingests', count(*), NULL, NULL FROM ingests"
)

# The bare DuckDB process: imports duckdb only. argv: warehouse, SQL. The name and zone are in
# the SQL as literals: binding Python parameters makes the duckdb client import pandas, numpy
# and pyarrow (about half a second), which a bare process need not pay.
BARE_DUCKDB = """\
import sys
import duckdb
path, sql = sys.argv[1:3]
con = duckdb.connect(path, read_only=True)
rows = con.execute(sql).fetchall()
print(len(rows), rows[0][0] if rows else None)
"""


@dataclass(frozen=True)
class Settings:
    """What the baseline needs from a workspace's touchpoints.yaml."""

    warehouse: Path
    name: str
    zone: str

    @classmethod
    def read(cls, root: Path) -> Settings:
        model = yaml.safe_load((root / "touchpoints.yaml").read_text(encoding="utf-8"))
        path = (model.get("warehouse") or {}).get("path", "touchpoints.duckdb")
        return cls(root / path, str(model["name"]), str(model.get("timezone") or "UTC"))


@dataclass
class Case:
    """One row of the table: touchpoints against a baseline, with a target for touchpoints."""

    name: str
    ours: list[str]
    baseline: list[str]
    baseline_name: str
    target: str
    met: Callable[[float, float], bool]
    ours_times: list[float] = field(default_factory=list)
    baseline_times: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours_times) / statistics.median(self.baseline_times)

    @property
    def is_met(self) -> bool:
        return self.met(statistics.median(self.ours_times), self.ratio)


def touchpoints(*arguments: str | int | Path) -> list[str]:
    return [str(TOUCHPOINTS), *map(str, arguments)]


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def bare_duckdb(root: Path, sql: str) -> list[str]:
    """The bare DuckDB process running ``sql`` (``$name``, ``$zone`` from the workspace)."""
    settings = Settings.read(root)
    sql = sql.replace("$name", literal(settings.name)).replace("$zone", literal(settings.zone))
    return [sys.executable, "-c", BARE_DUCKDB, str(settings.warehouse), sql]


def timed(command: list[str]) -> float:
    """Wall seconds of one process, from start to exit."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def build_demo(root: Path, customers: int) -> float:
    """``touchpoints demo`` into ``root``; the seconds it took."""
    print(f"building {root} ({customers:,} customers)…", file=sys.stderr, flush=True)
    command = touchpoints("demo", root, "--customers", customers, "--seed", 42, "--no-serve")
    return timed([*command, "--format", "json"])


def small_cases(demo: Path) -> list[Case]:
    return [
        Case(
            "`touchpoints --help`",
            touchpoints("--help"),
            [sys.executable, "-c", "pass"],
            "`python -c pass`",
            "< 0.5 s",
            lambda seconds, _: seconds < 0.5,
        ),
        Case(
            "`touchpoints status -w DEMO`",
            touchpoints("status", "-w", demo),
            bare_duckdb(demo, STATUS_SQL),
            "bare DuckDB: counts, ranges",
            "< 0.5 s",
            lambda seconds, _: seconds < 0.5,
        ),
        Case(
            "`metrics --by channel -w DEMO`",
            touchpoints("metrics", "--by", "channel", "-w", demo, "--format", "json"),
            bare_duckdb(demo, BY_CHANNEL_SQL),
            "bare DuckDB: same SQL",
            "< 1 s",
            lambda seconds, _: seconds < 1.0,
        ),
    ]


def big_cases(big: Path) -> list[Case]:
    return [
        Case(
            "`metrics -w BIG`",
            touchpoints("metrics", "--format", "json", "-w", big),
            bare_duckdb(big, METRICS_SQL),
            "bare DuckDB: same SQL",
            "≤ 2x baseline",
            lambda _, ratio: ratio <= 2.0,
        ),
        Case(
            "`metrics --by channel --period week -w BIG`",
            touchpoints(
                "metrics", "--by", "channel", "--period", "week", "-w", big, "--format", "json"
            ),
            bare_duckdb(big, BY_CHANNEL_WEEK_SQL),
            "bare DuckDB: same SQL",
            "≤ 2x baseline",
            lambda _, ratio: ratio <= 2.0,
        ),
    ]


def run(cases: list[Case], repeat: int) -> None:
    """Each case: one untimed warm-up per side (file cache), then A, B, A, B, … ``repeat``
    times."""
    for case in cases:
        print(f"measuring {case.name}…", file=sys.stderr, flush=True)
        timed(case.ours)
        timed(case.baseline)
        for _ in range(repeat):
            case.ours_times.append(timed(case.ours))
            case.baseline_times.append(timed(case.baseline))


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f})"


def report(cases: list[Case], repeat: int, workspaces: dict[str, str]) -> None:
    print(f"Machine: {machine()}. {repeat} alternations per case; seconds per process,")
    print("median (min–max), process start included.")
    print("; ".join(f"{k}: {v}" for k, v in workspaces.items()))
    print()
    print("| case | touchpoints | baseline | baseline is | ratio | target | met |")
    print("|---|---:|---:|---|---:|---|---|")
    for case in cases:
        print(
            f"| {case.name} | {spread(case.ours_times)} | {spread(case.baseline_times)} "
            f"| {case.baseline_name} | {case.ratio:.2f}x | {case.target} "
            f"| {'yes' if case.is_met else 'NO'} |"
        )
    print()
    for case in cases:
        ours, base = statistics.median(case.ours_times), statistics.median(case.baseline_times)
        print(
            f"- {case.name}: touchpoints/baseline = {ours:.3f}/{base:.3f} = {case.ratio:.2f}x; "
            f"target {case.target}: {'met' if case.is_met else 'NOT met'}"
        )


def workspace(given: Path | None, scratch: Path, name: str, customers: int) -> tuple[Path, str]:
    """The workspace to use (given, or built into ``scratch``) and how it came to be."""
    if given is not None:
        if not (given / "touchpoints.yaml").is_file():
            raise SystemExit(f"{given} is not a workspace (no touchpoints.yaml)")
        return given, str(given)
    root = scratch / name
    seconds = build_demo(root, customers)
    return root, f"built ({customers:,} customers) in {seconds:.0f} s"


def responses(root: Path) -> int:
    """Rows in the workspace's responses table (read by a bare DuckDB process)."""
    command = bare_duckdb(root, "SELECT count(*) FROM responses")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return int(output.split()[1])


def compile_package() -> None:
    """Byte-compile the package, as a regular install does: with PYTHONDONTWRITEBYTECODE set
    (as on the project's machines) an editable install would otherwise compile every module
    from source in every process, which no installed user pays."""
    spec = importlib.util.find_spec("touchpoints")  # finds it without importing it
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="alternations per case")
    parser.add_argument("--demo", type=Path, help="demo workspace (5,000 customers) to reuse")
    parser.add_argument("--big", type=Path, help="big workspace (~5M responses) to reuse")
    parser.add_argument("--skip-big", action="store_true", help="only the demo cases")
    args = parser.parse_args()
    if not TOUCHPOINTS.is_file():
        raise SystemExit(f"no console script at {TOUCHPOINTS}: install the package first")
    compile_package()
    with tempfile.TemporaryDirectory(prefix="touchpoints-startup-") as tmp:
        scratch = Path(tmp)
        demo, how = workspace(args.demo, scratch, "demo", 5_000)
        workspaces = {"DEMO": f"{how}, {responses(demo):,} responses"}
        cases = small_cases(demo)
        if not args.skip_big:
            big, how = workspace(args.big, scratch, "big", 1_000_000)
            workspaces["BIG"] = f"{how}, {responses(big):,} responses"
            cases += big_cases(big)
        run(cases, args.repeat)
        report(cases, args.repeat, workspaces)


if __name__ == "__main__":
    main()
