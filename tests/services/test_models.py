"""``touchpoints analyze``: KANO over the warehouse, per group, and the planted categories of
the demo recovered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_csv
from touchpoints.cli.app import app as cli
from touchpoints.errors import ParameterError
from touchpoints.services.workspace import Workspace


def test_kano_counts_the_pairs_of_each_response(workspace: Workspace, tmp_path: Path) -> None:
    """Three responses: (1,5) O, (1,3) A, (1,5) O for ``speed``; one (5,1) R for ``wrap``."""
    header = [
        "response_id",
        "ts",
        "channel",
        "touchpoint",
        "nps",
        "region",
        "kano.speed.f",
        "kano.speed.d",
        "kano.wrap.f",
        "kano.wrap.d",
    ]
    rows = [
        ["R1", "2025-03-01T10:00:00Z", "web", "web_checkout", 9, "north", 1, 5, 5, 1],
        ["R2", "2025-03-02T10:00:00Z", "web", "web_checkout", 7, "north", 1, 3, "", ""],
        ["R3", "2025-03-03T10:00:00Z", "web", "web_checkout", 3, "south", 1, 5, "", ""],
    ]
    workspace.ingest(write_csv(tmp_path / "k.csv", header, rows), kind="responses")
    found = {r["attribute"]: r for r in workspace.analyze("kano").to_dict()}
    assert found["speed"]["counts"] == {"A": 1, "O": 2, "M": 0, "I": 0, "R": 0, "Q": 0}
    assert found["speed"]["category"] == "O"
    assert found["speed"]["better"] == 1.0
    assert found["speed"]["worse"] == pytest.approx(-2 / 3)
    assert found["speed"]["insufficient"]  # 3 pairs, fewer than min n
    assert found["wrap"]["flagged"]
    by_region = workspace.analyze("kano", by="region", where=["region=north"]).to_dict()
    assert {(r["region"], r["attribute"], r["n"]) for r in by_region} == {
        ("north", "speed", 2),
        ("north", "wrap", 1),
    }
    with pytest.raises(ParameterError, match="models: kano"):
        workspace.analyze("servqual2")


def test_the_demo_s_planted_kano_categories_are_recovered(demo: Workspace) -> None:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    found = {r["attribute"]: r["category"] for r in demo.analyze("kano").to_dict()}
    assert found == planted["kano"]


def test_the_command_prints_the_pinned_json(demo: Workspace) -> None:
    said = CliRunner().invoke(cli, ["analyze", "kano", "-w", str(demo.root), "--format", "json"])
    assert said.exit_code == 0, said.output
    rows = json.loads(said.output)
    for key in ("attribute", "category", "better", "worse", "counts", "n"):
        assert all(key in r for r in rows)
