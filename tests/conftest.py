"""Shared fixtures: a fresh workspace on the test model, and helpers to ingest and look."""

from __future__ import annotations

import csv
import math
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


def same_json(found: Any, expected: Any, path: str = "") -> None:
    """Assert two JSON values are the same: keys, their order, lists, text, counts and flags
    exactly, and floats to 12 significant digits (the last digits of a float depend on the
    order of operations and on the quantile routine, never the figure a person reads)."""
    if isinstance(expected, dict):
        assert isinstance(found, dict), path
        assert list(found) == list(expected), f"{path}: keys {list(found)} != {list(expected)}"
        for key, value in expected.items():
            same_json(found[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(found, list), path
        assert len(found) == len(expected), f"{path}: {len(found)} != {len(expected)} items"
        for i, (a, b) in enumerate(zip(found, expected, strict=True)):
            same_json(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert isinstance(found, int | float), path
        assert math.isclose(found, expected, rel_tol=1e-12, abs_tol=1e-12), (
            f"{path}: {found!r} != {expected!r}"
        )
    else:
        assert found == expected, f"{path}: {found!r} != {expected!r}"
        assert type(found) is type(expected), f"{path}: {type(found)} != {type(expected)}"
