"""The result cache: a question asked twice is computed once, and any ingest — here or in
another process — makes the next ask compute it again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_csv
from touchpoints.services.cache import ResultCache
from touchpoints.services.workspace import Workspace


def test_a_result_is_kept_until_the_data_changes(workspace: Workspace, tmp_path: Path) -> None:
    cache = ResultCache(workspace)
    calls: list[int] = []

    def total() -> int:
        calls.append(1)
        return workspace.answers(limit=0).total

    assert cache.get(("n",), total) == 0
    assert cache.get(("n",), total) == 0
    assert len(calls) == 1
    header = ["response_id", "ts", "channel", "touchpoint", "nps"]
    rows = [[f"R{i}", "2025-03-01T10:00:00Z", "web", "web_checkout", 9] for i in range(3)]
    workspace.ingest(write_csv(tmp_path / "a.csv", header, rows), kind="responses")
    assert cache.get(("n",), total) == 3
    assert len(calls) == 2


def test_an_ingest_by_another_process_is_seen(workspace: Workspace, tmp_path: Path) -> None:
    cache = ResultCache(workspace)
    assert cache.get(("n",), lambda: workspace.answers(limit=0).total) == 0
    header = ["response_id", "ts", "channel", "touchpoint", "nps"]
    path = write_csv(tmp_path / "b.csv", header, [["R9", "2025-03-01T10:00:00Z", "web", "", 7]])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "touchpoints",
            "ingest",
            str(path),
            "--kind",
            "responses",
            "-w",
            str(workspace.root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert cache.get(("n",), lambda: workspace.answers(limit=0).total) == 1


def test_the_oldest_result_leaves_first(workspace: Workspace) -> None:
    cache = ResultCache(workspace, size=2)
    for key in ("a", "b", "c"):
        cache.get(key, lambda k=key: k)  # type: ignore[misc]
    cache.get("a", lambda: "again")
    assert cache.misses == 4
    assert cache.hits == 0
