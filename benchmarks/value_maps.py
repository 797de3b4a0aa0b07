"""Benchmark: a mapping's value map of 1k, 30k and 300k codes, joined as a table, against the
one SQL CASE it replaces (issue 15: 300k codes took 213 s and 5.2 GB through the CASE).

The file is a responses CSV whose ``region`` column holds store codes (``S0000042``), each
mapped to a region by the mapping's ``values:``. Every figure is the median of ``--repeat``
fresh processes (so peak memory is each run's own), all in the same run:

- ingest: ``touchpoints.ingest.ingest_file`` with the mapping, as a user runs it (reading
  the mapping file included);
- map step, join: only the step the map is in: ``_raw`` and ``_values`` registered, then the
  mapped rows created (``mapped_select``), as the pipeline does;
- map step, CASE: the same step with the map written as one CASE expression, as before. It
  grows with codes × rows, so it runs only up to ``--case-max`` codes (30k by default).

    python benchmarks/value_maps.py                 # rows 200k, codes 1k 30k 300k
    python benchmarks/value_maps.py --rows 50000 --codes 1000 30000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from harness import machine, measure

MODEL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "touchpoints.yaml"
COLUMNS = ("response_id", "ts", "nps", "store")


def make_files(folder: Path, rows: int, codes: int, seed: int = 1) -> tuple[Path, Path]:
    """The CSV and its mapping: ``codes`` store codes, each to one of 40 regions."""
    rng = np.random.default_rng(seed)
    which = rng.integers(0, codes, rows)
    table = pa.table(
        {
            "response_id": np.char.add("R", np.arange(rows).astype(str)),
            "ts": np.full(rows, "2025-05-04 10:00"),
            "nps": rng.integers(0, 11, rows).astype(str),
            "store": np.char.add("S", np.char.zfill(which.astype(str), 7)),
        }
    )
    data = folder / f"responses-{codes}.csv"
    pacsv.write_csv(table, data)
    lines = "".join(f"    S{i:07d}: 区域-{i % 40:02d}\n" for i in range(codes))
    mapping = folder / f"map-{codes}.yaml"
    mapping.write_text(
        "kind: responses\n"
        "columns: {response_id: response_id, ts: ts, nps: nps, region: store}\n"
        f"values:\n  region:\n{lines}",
        encoding="utf-8",
    )
    return data, mapping


def run_ingest(data: str, mapping: str) -> dict[str, Any]:
    from touchpoints.ingest import ingest_file
    from touchpoints.services.workspace import Workspace, init_workspace

    root = Path(tempfile.mkdtemp(prefix="bench-values-")) / "ws"
    try:
        init_workspace(root)
        shutil.copy(MODEL, root / "touchpoints.yaml")
        workspace = Workspace.open(root)
        started = time.perf_counter()
        result = ingest_file(workspace, Path(data), mapping_path=Path(mapping))
        return {"seconds": time.perf_counter() - started, "stored": result.accepted}
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def _case(expr: str, values: dict[str, str | None]) -> str:
    """The value map as one CASE over ``expr``: the expression the join replaced."""
    from touchpoints.storage.sql import lit

    whens = " ".join(
        f"WHEN {lit(k)} THEN {'NULL' if v is None else lit(v)}" for k, v in values.items()
    )
    return f"(CASE {expr} {whens} ELSE {expr} END)"


def run_map_step(data: str, mapping: str, how: str) -> dict[str, Any]:
    """The mapping step alone on an in-memory engine: ``how`` is ``join`` or ``case``."""
    import duckdb

    from touchpoints.ingest.kinds import KINDS
    from touchpoints.ingest.mapping import load_mapping, plan_columns
    from touchpoints.ingest.validate import clean, mapped_select, value_table
    from touchpoints.model import load_model
    from touchpoints.storage.sql import ident

    raw = pacsv.read_csv(
        data, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(COLUMNS, pa.string()))
    )
    model = load_model(MODEL)
    kind = KINDS["responses"]
    plans = plan_columns(load_mapping(Path(mapping)), kind, raw.column_names, model, data)
    positions = {h: f"c{i}" for i, h in enumerate(raw.column_names)}
    con = duckdb.connect()
    engine = raw.rename_columns(list(positions.values()))
    con.register("_raw", engine.append_column("_row", pa.array(range(raw.num_rows), pa.int64())))
    started = time.perf_counter()
    if how == "join":
        located = [replace(p, source=positions[p.source]) if p.source else p for p in plans]
        con.register("_values", value_table(located))
        select = mapped_select(located)
    else:
        parts = ["_row"]
        for p in plans:
            if p.source is None:
                continue
            expr = clean(positions[p.source])
            parts.append(f"{_case(expr, p.values) if p.values else expr} AS {ident(p.name)}")
        select = f"SELECT {', '.join(parts)} FROM _raw"
    con.execute(f"CREATE TEMP TABLE _mapped AS {select}")
    seconds = time.perf_counter() - started
    mapped = con.execute("SELECT count(region) FROM _mapped WHERE region LIKE '区域-%'").fetchone()
    return {"seconds": seconds, "mapped": mapped[0] if mapped else 0}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "min_max": [
            round(min(r["seconds"] for r in runs), 3),
            round(max(r["seconds"] for r in runs), 3),
        ],
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--codes", type=int, nargs="+", default=[1_000, 30_000, 300_000])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--case-max", type=int, default=30_000, help="largest map for CASE")
    args = parser.parse_args()
    results: dict[str, Any] = {"rows": args.rows, "machine": machine(), "maps": []}
    with tempfile.TemporaryDirectory() as tmp:
        for codes in args.codes:
            data, mapping = make_files(Path(tmp), args.rows, codes)
            found: dict[str, Any] = {
                "codes": codes,
                "mapping_mb": round(mapping.stat().st_size / 1e6, 2),
            }
            sides = [("ingest", run_ingest, ()), ("map_join", run_map_step, ("join",))]
            if codes <= args.case_max:
                sides.append(("map_case", run_map_step, ("case",)))
            for name, side, extra in sides:
                runs = [measure(side, str(data), str(mapping), *extra) for _ in range(args.repeat)]
                found[name] = _median(runs)
            results["maps"].append(found)
            print(json.dumps(found, ensure_ascii=False), flush=True)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
