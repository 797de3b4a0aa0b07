"""Each command pays only for the imports it uses (issue 14, "Start-up").

Not a timing test (the benchmark, ``benchmarks/startup.py``, measures time): this checks the
cause. A fresh interpreter runs a command and reports which heavy libraries it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("ibis", "pandas", "scipy", "pyarrow", "numpy", "duckdb", "pydantic", "sqlglot")
PROBE = """
import json, sys
from touchpoints.cli.app import app
try:
    app(sys.argv[1:], prog_name="touchpoints")
except SystemExit:
    pass
heavy = {heavy!r}
sys.stderr.write("LOADED " + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""


def _loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return set(json.loads(line.removeprefix("LOADED ")))


@pytest.mark.slow
def test_help_loads_no_engine_no_model_and_no_statistics() -> None:
    assert _loaded("--help") == set()


@pytest.mark.slow
def test_status_loads_the_model_and_duckdb_only(demo: Any) -> None:
    assert _loaded("status", "-w", str(demo.root)) == {"duckdb", "pydantic"}


@pytest.mark.slow
def test_metrics_loads_the_model_and_duckdb_only(demo: Any) -> None:
    """The metrics query is SQL through the store; the estimates need no numpy or SciPy."""
    loaded = _loaded("metrics", "--by", "channel", "-w", str(demo.root), "--format", "json")
    assert loaded == {"duckdb", "pydantic"}


@pytest.mark.slow
def test_items_builds_its_query_with_ibis(demo: Any) -> None:
    loaded = _loaded("items", "-w", str(demo.root), "--resamples", "0", "--format", "json")
    assert {"ibis", "numpy"} <= loaded


def test_quarantine_export_cells_are_spreadsheet_safe(workspace: Any, tmp_path: Path) -> None:
    """A refused row whose comment is a formula is exported as text, not as a formula."""
    from conftest import ingest, write_csv

    source = write_csv(
        tmp_path / "r.csv",
        ["response_id", "ts", "touchpoint", "nps", "comment"],
        [["R1", "2025-05-04 09:30", "store_checkout", "11", '=HYPERLINK("http://x","hi")']],
    )
    assert ingest(workspace, source).quarantined == 1
    out = tmp_path / "fix.csv"
    from touchpoints.services.workspace import Workspace

    result = Workspace.open(workspace.root).export_quarantine(out)
    assert result.to_dict() == {"rows": 1, "out": str(out)}
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",11," in text  # the refused number is still a number
