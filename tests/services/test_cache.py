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


def test_refresh_answers_the_last_questions_again_after_an_ingest(
    workspace: Workspace, tmp_path: Path
) -> None:
    cache = ResultCache(workspace, warm=2)
    calls: list[str] = []

    def asking(name: str) -> object:
        def compute() -> int:
            calls.append(name)
            return workspace.answers(limit=0).total

        return compute

    for name in ("a", "b", "c"):
        cache.get(name, asking(name))
    assert calls == ["a", "b", "c"]
    header = ["response_id", "ts", "channel", "touchpoint", "nps"]
    rows = [["R1", "2025-03-01T10:00:00Z", "web", "web_checkout", 9]]
    workspace.ingest(write_csv(tmp_path / "c.csv", header, rows), kind="responses")
    assert cache.stale()
    assert cache.refresh() == 2  # the two asked last, the most recent first
    assert calls[3:] == ["c", "b"]
    assert not cache.stale()
    assert cache.get("c", asking("c")) == 1  # ready: no computing
    assert cache.get("b", asking("b")) == 1
    assert calls[5:] == []


def test_the_warmer_refreshes_once_the_data_has_settled(
    workspace: Workspace, tmp_path: Path
) -> None:
    import time

    from touchpoints.services.cache import Warmer

    cache = ResultCache(workspace)
    assert cache.get("n", lambda: workspace.answers(limit=0).total) == 0
    warmer = Warmer(cache, interval=0.05, settle=0.1)
    warmer.start()
    try:
        header = ["response_id", "ts", "channel", "touchpoint", "nps"]
        rows = [["R1", "2025-03-01T10:00:00Z", "web", "web_checkout", 9]]
        workspace.ingest(write_csv(tmp_path / "d.csv", header, rows), kind="responses")
        deadline = time.monotonic() + 20
        while not cache.ready("n") and time.monotonic() < deadline:
            time.sleep(0.05)
        misses = cache.misses
        assert cache.get("n", lambda: -1) == 1  # recomputed by the warmer, not by this ask
        assert cache.misses == misses
    finally:
        warmer.stop()
