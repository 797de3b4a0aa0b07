"""A file is all-or-nothing: an ingest killed mid-file leaves the warehouse as it was, and
running it again completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from conftest import query
from touchpoints.services.workspace import Workspace

ROWS = 400_000
TOUCHPOINTS = np.array(["store_checkout", "web_checkout", "app_delivery"])


def _big_file(path: Path) -> int:
    """Write the file; return how many of its rows are bad (nps 11)."""
    rng = np.random.default_rng(7)
    minutes = rng.integers(0, 200 * 24 * 60, ROWS).astype("timedelta64[m]")
    table = pa.table(
        {
            "response_id": np.char.add("R", np.arange(ROWS).astype(str)),
            "ts": (np.datetime64("2025-01-01T00:00") + minutes).astype(str),
            "customer": np.char.add("m-", rng.integers(0, ROWS // 4, ROWS).astype(str)),
            "touchpoint": TOUCHPOINTS[rng.integers(0, 3, ROWS)],
            "nps": rng.integers(0, 12, ROWS),  # 11 is out of range: some rows are quarantined
        }
    )
    pacsv.write_csv(table, path)
    return int(np.sum(table["nps"].to_numpy() == 11))


def _ingest(workspace: Workspace, path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "touchpoints", "ingest", str(path), "--kind", "responses"]
    command += ["--workspace", str(workspace.root), "--verbose", "--format", "json"]
    return subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _state(workspace: Workspace) -> tuple[int, ...]:
    tables = ("responses", "quarantine", "identities", "ingests")
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)
    return query(workspace, sql)[0]


@pytest.mark.slow
def test_killed_mid_file_leaves_nothing_then_rerun_completes(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    expected_bad = _big_file(path)
    killed_while_storing = 0
    for delay in (0.0, 0.1, 0.25):
        process = _ingest(workspace, path)
        assert process.stderr is not None
        for line in process.stderr:  # --verbose logs each step as it starts
            if line.split()[-1] == "storing":
                break
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_while_storing += 1
        process.wait()
        assert _state(workspace) == (0, 0, 0, 0), f"partial write after a kill at +{delay}s"
    assert killed_while_storing == 3
    finished = _ingest(workspace, path)
    out, _ = finished.communicate()
    assert finished.returncode == 0
    rows, quarantined, identities, ingests = _state(workspace)
    assert (rows, quarantined, ingests) == (ROWS - expected_bad, expected_bad, 1)
    assert identities > 0
    assert f'"accepted": {ROWS - expected_bad}' in out
