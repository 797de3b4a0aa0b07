"""Reading while an ingest runs, read-only workspaces, and errors that say what happened.

An ingest holds only a read lock while it reads and checks its file (DuckDB lets read-only
openers share the file), and the write lock only for the one transaction that stores it;
commands that read open the warehouse read-only and wait while that transaction runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from conftest import query, write_csv
from touchpoints.services.workspace import Workspace

ROWS = 300_000


def _touchpoints(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "touchpoints", *args]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    process = _touchpoints(*args, env=env)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _big_file(path: Path, first: int = 0, rows: int = ROWS) -> Path:
    rng = np.random.default_rng(first)
    minutes = rng.integers(0, 200 * 24 * 60, rows).astype("timedelta64[m]")
    table = pa.table(
        {
            "response_id": np.char.add("R", np.arange(first, first + rows).astype(str)),
            "ts": (np.datetime64("2025-01-01T00:00") + minutes).astype(str),
            "customer": np.char.add("m-", rng.integers(0, rows // 4, rows).astype(str)),
            "touchpoint": np.array(["store_checkout", "web_checkout"])[rng.integers(0, 2, rows)],
            "nps": rng.integers(0, 11, rows),
        }
    )
    pacsv.write_csv(table, path)
    return path


def _ingest(workspace: Workspace, path: Path) -> subprocess.Popen[str]:
    return _touchpoints(
        "ingest", str(path), "--kind", "responses", "-w", str(workspace.root), "--verbose",
        "--format", "json",
    )  # fmt: skip


def _wait_for_step(process: subprocess.Popen[str], step: str) -> None:
    assert process.stderr is not None
    for line in process.stderr:  # --verbose logs each step as it starts
        if line.split()[-1] == step:
            return
    raise AssertionError(f"the ingest ended before {step}")


@pytest.mark.slow
def test_commands_read_while_an_ingest_checks_its_file(
    workspace: Workspace, tmp_path: Path
) -> None:
    """`status` and `metrics` answer while a long ingest is still validating (they failed
    with 'Could not set lock' for as long as any ingest ran)."""
    ingesting = _ingest(workspace, _big_file(tmp_path / "big.csv", rows=4 * ROWS))
    _wait_for_step(ingesting, "validating")
    status = _run("status", "-w", str(workspace.root), "--format", "json")
    answered_during_the_ingest = ingesting.poll() is None
    metrics = _run("metrics", "-w", str(workspace.root), "--format", "json")
    out, _ = ingesting.communicate(timeout=300)
    assert answered_during_the_ingest, "the ingest ended before the read: make the file bigger"
    assert status.returncode == 0, status.stderr
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(status.stdout)["kinds"]["responses"]["rows"] == 0
    assert ingesting.returncode == 0
    assert json.loads(out)["accepted"] == 4 * ROWS


@pytest.mark.slow
def test_a_read_waits_for_the_write_then_answers(workspace: Workspace, tmp_path: Path) -> None:
    """A read that arrives while the ingest stores its file waits for the transaction and
    sees all of it (never part of it)."""
    ingesting = _ingest(workspace, _big_file(tmp_path / "big.csv"))
    _wait_for_step(ingesting, "storing")
    status = _run("status", "-w", str(workspace.root), "--format", "json")
    ingesting.communicate(timeout=300)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["kinds"]["responses"]["rows"] in (0, ROWS)


@pytest.mark.slow
def test_concurrent_ingests_of_one_file_store_it_once(workspace: Workspace, tmp_path: Path) -> None:
    """Two ingests of the same file at once: both check it against an empty warehouse, the
    second to store sees that the first stored meanwhile, checks again and finds only
    duplicates. The count invariant holds for both."""
    path = _big_file(tmp_path / "big.csv")
    first, second = _ingest(workspace, path), _ingest(workspace, path)
    results = [json.loads(p.communicate(timeout=300)[0]) for p in (first, second)]
    assert sorted(r["accepted"] for r in results) == [0, ROWS]
    assert sorted(r["duplicates"] for r in results) == [0, ROWS]
    assert all(r["read"] == r["accepted"] + r["quarantined"] + r["duplicates"] for r in results)
    assert query(workspace, "SELECT count(*), count(DISTINCT response_id) FROM responses") == [
        (ROWS, ROWS)
    ]
    assert query(workspace, "SELECT count(*) FROM ingests") == [(2,)]


@pytest.mark.slow
def test_concurrent_ingests_of_two_files_store_both(workspace: Workspace, tmp_path: Path) -> None:
    first = _ingest(workspace, _big_file(tmp_path / "a.csv"))
    second = _ingest(workspace, _big_file(tmp_path / "b.csv", first=ROWS))
    for process in (first, second):
        process.communicate(timeout=300)
        assert process.returncode == 0
    assert query(workspace, "SELECT count(DISTINCT response_id) FROM responses") == [(2 * ROWS,)]
    assert not (workspace.root / ".scratch").exists()


def test_a_held_lock_names_the_process(workspace: Workspace) -> None:
    """While another process holds the write lock longer than the wait, the command says
    which process (this test's), where it used to blame 'another touchpoints command'."""
    holder = duckdb.connect(str(workspace.warehouse_path))
    try:
        done = _run(
            "status", "-w", str(workspace.root), "--format", "json",
            env={"TOUCHPOINTS_LOCK_WAIT": "0.3"},
        )  # fmt: skip
    finally:
        holder.close()
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert f"is locked by PID {os.getpid()}" in error
    assert "still was after 0 s" in error or "still was after" in error
    assert "Traceback" not in done.stderr


def test_a_corrupt_warehouse_is_called_corrupt(workspace: Workspace) -> None:
    workspace.warehouse_path.write_bytes(b"not a database" * 1000)
    done = _run("status", "-w", str(workspace.root), "--format", "json")
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert "is not a readable touchpoints warehouse: corrupt or not DuckDB" in error
    assert "another touchpoints command" not in error


def _as_nobody(command: list[str]) -> list[str]:
    """Run as an unprivileged user: root reads and writes whatever the permissions say."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to drop root")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A folder any user can reach (pytest's own is private to its user)."""
    place = Path(tempfile.mkdtemp(prefix="touchpoints-"))
    place.chmod(0o755)
    yield place
    for path in [place, *place.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(place)


def _readable_copy(workspace: Workspace, place: Path) -> Path:
    """The workspace copied into ``place``, read-only for everyone."""
    root = Path(shutil.copytree(workspace.root, place / "ws"))
    for path in [*root.rglob("*"), root]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return root


def _run_as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    command = _as_nobody([sys.executable, "-m", "touchpoints", *args])
    env = {**os.environ, "HOME": "/tmp"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _refused_ingest(root: Path, place: Path) -> str:
    """Ingest a one-row file into ``root`` as ``nobody``; the one-line error it ends with."""
    write_csv(place / "r.csv", ["response_id", "ts", "nps"], [["R1", "2025-05-04", 9]])
    done = _run_as_nobody(
        "ingest", str(place / "r.csv"), "--kind", "responses", "-w", str(root),
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    error: str = json.loads(done.stdout)["error"]
    return error


@pytest.mark.slow
def test_a_read_only_workspace_can_be_read(
    workspace: Workspace, tmp_path: Path, reachable: Path
) -> None:
    """`status` and `metrics` on a workspace the user may only read (they failed with
    'Permission denied (is another touchpoints command using it?)')."""
    rows = [[f"R{i}", "2025-05-04 10:00", f"m-{i}", "store_checkout", i % 11] for i in range(30)]
    write_csv(tmp_path / "r.csv", ["response_id", "ts", "customer", "touchpoint", "nps"], rows)
    assert _run("ingest", str(tmp_path / "r.csv"), "--kind", "responses", "-w",
                str(workspace.root)).returncode == 0  # fmt: skip
    root = _readable_copy(workspace, reachable)
    status = _run_as_nobody("status", "-w", str(root), "--format", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["kinds"]["responses"]["rows"] == 30
    metrics = _run_as_nobody("metrics", "-w", str(root), "--format", "json")
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(metrics.stdout)[0]["n"] == 30


@pytest.mark.slow
def test_an_ingest_into_a_read_only_workspace_says_no_permission(
    workspace: Workspace, reachable: Path
) -> None:
    root = _readable_copy(workspace, reachable)
    error = _refused_ingest(root, reachable)
    assert error.startswith(f"cannot write to the workspace {root}"), error
    assert "Permission denied" in error


@pytest.mark.slow
def test_an_unreadable_key_is_one_clear_line(workspace: Workspace, reachable: Path) -> None:
    root = Path(shutil.copytree(workspace.root, reachable / "ws"))
    for path in [*root.rglob("*"), root]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    (root / "touchpoints.key").chmod(0o000)
    assert _refused_ingest(root, reachable).startswith("cannot read the pseudonym key")
