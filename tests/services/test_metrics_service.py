"""Grouped metrics: hand-computed tables, periods in the workspace zone, pandas parity, and
the demo's planted checkout wait found where it was planted."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ingest, write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics import compare_proportions, nps_from_counts
from touchpoints.core.metrics.clustered import ClusterSums
from touchpoints.demo import build_demo
from touchpoints.errors import UserInputError
from touchpoints.services.metrics import metrics_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "touchpoint", "nps", "csat", "ces"]
ROWS = [
    ["r1", "2025-05-04 10:00", "store_checkout", "10", "5", "7"],
    ["r2", "2025-05-04 23:30", "store_checkout", "9", "4", "2"],  # Sunday, local time
    ["r3", "2025-05-05 00:10", "store_checkout", "3", "2", ""],  # Monday, local time
    ["r4", "2025-05-06 12:00", "web_checkout", "8", "3", "6"],
    ["r5", "2025-05-07 12:00", "web_checkout", "", "5", "6"],
]


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    assert ingest(workspace, write_csv(tmp_path / "r.csv", HEADER, ROWS)).accepted == 5
    return workspace


def _by(rows: list[dict[str, object]], key: str) -> dict[object, dict[str, object]]:
    return {row[key]: row for row in rows}


def test_by_touchpoint_computed_by_hand(loaded: Workspace) -> None:
    rows = _by(metrics_report(loaded, MetricsQuery(by=("touchpoint",))).to_dict(), "touchpoint")
    store, web = rows["store_checkout"], rows["web_checkout"]
    # store: NPS answers 10, 9, 3 → (2 − 1)/3; CSAT 5, 4, 2 → 2 of 3 top-2; CES 7, 2.
    assert (store["n"], store["n_nps"], store["n_csat"], store["n_ces"]) == (3, 3, 3, 2)
    assert store["nps"] == pytest.approx(100 / 3)
    assert store["csat"] == pytest.approx(200 / 3)
    assert store["csat_mean"] == pytest.approx(11 / 3)
    assert (store["ces_mean"], store["ces_agree"]) == (pytest.approx(4.5), pytest.approx(50.0))
    # web: one NPS answer (8, a passive), CSAT 3 and 5, CES 6 and 6.
    assert (web["n"], web["n_nps"], web["nps"]) == (2, 1, 0.0)
    assert (web["csat"], web["csat_mean"], web["ces_agree"]) == (50.0, 4.0, 100.0)
    assert store["insufficient"] == ["nps", "csat", "csat_mean", "ces_mean", "ces_agree"]


def test_weeks_start_on_monday_in_the_workspace_zone(loaded: Workspace) -> None:
    rows = metrics_report(
        loaded, MetricsQuery(period="week", where={"touchpoint": "store_checkout"})
    ).to_dict()
    assert [(r["period"], r["n"]) for r in rows] == [("2025-04-28", 2), ("2025-05-05", 1)]


def test_since_until_are_inclusive_local_dates(loaded: Workspace) -> None:
    (row,) = metrics_report(
        loaded, MetricsQuery(since=date(2025, 5, 4), until=date(2025, 5, 4))
    ).to_dict()
    assert row["n"] == 2  # r1 and r2 (23:30 local), not r3 (00:10 the next day)


def test_stage_from_the_model_and_where(loaded: Workspace) -> None:
    rows = metrics_report(
        loaded, MetricsQuery(by=("stage",), where={"touchpoint": "web_checkout"})
    ).to_dict()
    assert [(r["stage"], r["n"]) for r in rows] == [("purchase", 2)]


def test_no_answers_are_null(loaded: Workspace) -> None:
    assert (
        metrics_report(loaded, MetricsQuery(by=("touchpoint",), where={"region": "x"})).to_dict()
        == []
    )
    (row,) = metrics_report(
        loaded, MetricsQuery(where={"touchpoint": "web_checkout"}, period="day")
    ).to_dict()[1:]
    assert (row["n_nps"], row["nps"], row["nps_low"]) == (0, None, None)


def test_unknown_dimension_is_a_user_error(loaded: Workspace) -> None:
    with pytest.raises(UserInputError, match="unknown dimension 'shop'"):
        metrics_report(loaded, MetricsQuery(by=("shop",))).to_dict()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("metrics") / "demo"
    build_demo(root, customers=800, seed=11)
    return Workspace.open(root)


def test_engine_agrees_with_pandas(demo: Workspace) -> None:
    """The same figures from raw answers grouped in pandas and scored by the core, with the
    clustered sums taken from the raw answers and their customers."""
    with demo.warehouse() as warehouse:
        frame = warehouse.con.execute(
            "SELECT r.touchpoint, r.nps, COALESCE(i.customer_key, r.customer, r.response_id) "
            "AS who FROM responses r LEFT JOIN identities i ON i.pseudonym = r.customer"
        ).df()
    engine = _by(metrics_report(demo, MetricsQuery(by=("touchpoint",))).to_dict(), "touchpoint")
    answered = frame.dropna(subset=["touchpoint", "nps"])
    for touchpoint, group in answered.groupby("touchpoint"):
        answers = group["nps"].astype(float)
        scores = (answers >= 9).astype(float) - (answers <= 6).astype(float)
        counts = int((scores == 1).sum()), int((scores == 0).sum()), int((scores == -1).sum())
        expected = nps_from_counts(
            *counts,
            min_n=demo.model.metrics.min_n,
            clustered=ClusterSums.from_scores(scores, group["who"]),
        )
        assert engine[touchpoint]["nps"] == pytest.approx(expected.value)
        assert engine[touchpoint]["nps_low"] == pytest.approx(expected.low)
        assert engine[touchpoint]["n_nps"] == expected.n
        assert engine[touchpoint]["design_effect"]["nps"] == pytest.approx(expected.design_effect)


def test_planted_checkout_wait_is_found(demo: Workspace) -> None:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    where = next(e for e in planted["effects"] if e["id"] == "store_checkout_wait")["where"]
    rows = metrics_report(
        demo, MetricsQuery(by=("region",), where={"touchpoint": where["touchpoint"]})
    ).to_dict()
    regions = {r["region"]: r for r in rows if r["region"] is not None}
    worst = min(regions.values(), key=lambda r: r["csat"])
    assert worst["region"] == where["region"]
    rest = [r for name, r in regions.items() if name != where["region"]]
    top = sum(round(r["csat"] * r["n_csat"] / 100) for r in rest)
    others = sum(r["n_csat"] for r in rest)
    hits = round(worst["csat"] * worst["n_csat"] / 100)
    assert compare_proportions(hits, worst["n_csat"], top, others).p < 0.001


def test_metrics_command(loaded: Workspace) -> None:
    runner = CliRunner()
    args = ["metrics", "-w", str(loaded.root), "--by", "touchpoint", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    keys = set(json.loads(result.stdout)[0])
    assert keys >= {
        "touchpoint",
        "n",
        "nps",
        "nps_low",
        "nps_high",
        "csat",
        "csat_low",
        "csat_high",
        "csat_mean",
        "ces_mean",
        "ces_agree",
        "insufficient",
    }
    assert runner.invoke(app, ["metrics", "-w", str(loaded.root), "--by", "shop"]).exit_code == 1
    bad_where = runner.invoke(app, ["metrics", "-w", str(loaded.root), "--where", "region"])
    assert bad_where.exit_code == 1
    assert (
        runner.invoke(app, ["metrics", "-w", str(loaded.root), "--period", "fortnight"]).exit_code
        == 2
    )
    csv_out = runner.invoke(app, ["metrics", "-w", str(loaded.root), "--format", "csv"]).stdout
    assert pd.read_csv(io.StringIO(csv_out))["n"].tolist() == [5]
