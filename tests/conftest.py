"""Shared fixtures: a fresh workspace on the test model, and helpers to ingest and look."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from touchpoints.demo import build_demo
from touchpoints.ingest import IngestResult, ingest_file
from touchpoints.services.workspace import Workspace, init_workspace

# CI runs the same examples every time (a failure there is reproducible, never a coin toss);
# locally hypothesis explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
KEY = bytes(range(32))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root, key=KEY)
    shutil.copy(FIXTURES / "touchpoints.yaml", root / "touchpoints.yaml")
    return Workspace.open(root)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A small demo workspace (1,500 customers), shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("demo") / "ws"
    build_demo(root, customers=1500, seed=5)
    return Workspace.open(root)


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ingest(workspace: Workspace, path: Path, mapping: Path | None = None) -> IngestResult:
    kind = None if mapping else "responses"
    return ingest_file(workspace, path, kind=kind, mapping_path=mapping)


def query(workspace: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with workspace.warehouse() as warehouse:
        rows: list[tuple[Any, ...]] = warehouse.con.execute(sql).fetchall()
    return rows


def reasons(workspace: Workspace) -> dict[str, list[str]]:
    """Quarantine reasons by key."""
    return {key: list(r) for key, r in query(workspace, "SELECT key, reasons FROM quarantine")}
