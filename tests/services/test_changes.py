"""Change detection: hand-built periods, FDR across comparisons, and the demo's planted
improvement and regional wait found where they were planted."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scipy import stats
from typer.testing import CliRunner

from conftest import ingest, write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics import benjamini_hochberg, compare_nps
from touchpoints.errors import UserInputError
from touchpoints.services.changes import changes_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace


def _answers(week_day: str, promoters: int, detractors: int, start: int) -> list[list[str]]:
    rows = [[f"r{start + i}", week_day, "web_checkout", "10"] for i in range(promoters)]
    rows += [
        [f"r{start + promoters + i}", week_day, "web_checkout", "2"] for i in range(detractors)
    ]
    return rows


def test_period_over_period_by_hand(workspace: Workspace, tmp_path: Path) -> None:
    """Week 1: 2 promoters, 8 detractors (NPS −60); week 2: 8 and 2 (NPS +60). No answer
    names a customer: 20 clusters of one answer, so the variance is C/(C − 1) = 20/19 times
    the independent one, which (10 answers a side, below min n) is Rocks' adjusted one."""
    rows = _answers("2025-05-06 12:00", 2, 8, 0) + _answers("2025-05-13 12:00", 8, 2, 100)
    ingest(
        workspace, write_csv(tmp_path / "r.csv", ["response_id", "ts", "touchpoint", "nps"], rows)
    )
    (change,) = changes_report(workspace, MetricsQuery(period="week"), all_changes=True).to_dict()
    expected = compare_nps((8, 0, 2), (2, 0, 8))
    assert change["scope"] == {"period": "2025-05-12", "compared_with": "2025-05-05"}
    assert change["metric"] == "nps"
    assert (change["before"], change["after"]) == (pytest.approx(-60), pytest.approx(60))
    se = (expected.high - expected.low) / (2 * 1.959963984540054) * math.sqrt(20 / 19)
    p = 2 * stats.norm.sf(abs(expected.difference) / se)
    assert change["difference"] == pytest.approx(expected.difference)
    assert change["p"] == pytest.approx(p)
    assert change["q"] == pytest.approx(p)  # one comparison: q = p
    assert change["significant"] is bool(p < 0.05)
    assert (change["n_before"], change["n_after"], change["insufficient"]) == (10, 10, True)
    assert change["kind"] == "period"


def test_nothing_to_compare_is_a_user_error(workspace: Workspace) -> None:
    with pytest.raises(UserInputError, match="say what to compare"):
        changes_report(workspace, MetricsQuery()).to_dict()


def test_planted_improvement_shows_period_over_period(demo: Workspace) -> None:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    effect = next(e for e in planted["effects"] if e["kind"] == "improvement")
    touchpoint, start = effect["where"]["touchpoint"], effect["when"]["from"]  # 2025-07-01
    rows = changes_report(
        demo, MetricsQuery(period="quarter", where={"touchpoint": touchpoint})
    ).to_dict()
    csat = [r for r in rows if r["metric"] == "csat"]
    assert [r["scope"]["period"] for r in csat] == [start]
    assert csat[0]["difference"] > 0


def test_only_significant_after_fdr(demo: Workspace) -> None:
    query = MetricsQuery(period="month", where={"touchpoint": "app_search"})  # the placebo
    every = changes_report(demo, query, all_changes=True).to_dict()
    assert [r["q"] for r in every] == pytest.approx(
        list(benjamini_hochberg([r["p"] for r in every]))
    )
    shown = changes_report(demo, query).to_dict()
    assert all(r["significant"] for r in shown)
    assert len(shown) <= len(every)


def test_planted_region_stands_out_against_the_rest(demo: Workspace) -> None:
    rows = changes_report(
        demo, MetricsQuery(by=("region",), where={"touchpoint": "store_checkout"})
    ).to_dict()
    compared = [r for r in rows if r["metric"] == "csat" and r["kind"] == "rest"]
    worst = min(compared, key=lambda r: r["difference"])
    assert worst["scope"] == {"region": "华东", "compared_with": "rest"}
    assert worst["difference"] < -20


def test_changes_command_json_keys(demo: Workspace) -> None:
    args = ["changes", "-w", str(demo.root), "--by", "region", "--format", "json", "--all"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    pinned = {"scope", "metric", "before", "after", "difference", "low", "high", "p", "q"}
    added = {"method", "design_effect", "n_before", "n_after", "insufficient", "kind"}
    assert set(rows[0]) == pinned | {"significant"} | added | {"n_group", "n_rest"}
    omnibus = [r for r in rows if r["kind"] == "omnibus"]
    assert {r["metric"] for r in omnibus} == {"nps", "csat", "csat_mean", "ces_mean", "ces_agree"}
    assert {"statistic", "df", "p", "q", "significant", "method", "groups", "n"} <= set(omnibus[0])
