"""`touchpoints benchmark`: our relationship answers against a competitor's, computed with the
core's tests by hand; references from the model and from files; the demo's rival found."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scipy import stats
from typer.testing import CliRunner

from conftest import ingest, write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics import compare_nps, compare_proportions
from touchpoints.core.metrics.reference import nps_against
from touchpoints.errors import UserInputError
from touchpoints.ingest.references import load_references
from touchpoints.model.schema import Reference
from touchpoints.services.benchmark import benchmark_report
from touchpoints.services.metrics import metrics_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "touchpoint", "nps", "csat", "brand", "region"]
ROWS = [
    ["o1", "2025-03-01 10:00", "", "10", "5", "", "north"],
    ["o2", "2025-03-01 10:00", "", "9", "4", "", "north"],
    ["o3", "2025-03-01 10:00", "", "9", "4", "", "south"],
    ["o4", "2025-03-01 10:00", "", "7", "3", "", "south"],
    ["o5", "2025-03-01 10:00", "", "3", "2", "", "south"],
    ["o6", "2025-03-01 10:00", "", "10", "5", "Test Retail", "north"],  # our name, spelled out
    [
        "t1",
        "2025-03-01 10:00",
        "web_checkout",
        "0",
        "1",
        "",
        "north",
    ],  # transactional: not compared
    ["c1", "2025-03-01 10:00", "", "9", "4", "Rival", "north"],
    ["c2", "2025-03-01 10:00", "", "6", "3", "Rival", "south"],
    ["c3", "2025-03-01 10:00", "", "5", "2", "Rival", "south"],
    ["c4", "2025-03-01 10:00", "", "8", "5", "Rival", "north"],
]


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    assert ingest(workspace, write_csv(tmp_path / "r.csv", HEADER, ROWS)).accepted == len(ROWS)
    return workspace


def test_gap_to_a_competitor_by_hand(loaded: Workspace) -> None:
    report = benchmark_report(loaded, MetricsQuery()).to_dict()
    brands = {b["brand"]: b for b in report["brands"]}
    assert set(brands) == {"Test Retail", "Rival"}
    assert (brands["Test Retail"]["n"], brands["Rival"]["n"]) == (6, 4)
    gaps = {g["metric"]: g for g in report["gaps"]}
    # ours: promoters 10, 9, 9, 10; passive 7; detractor 3. Rival: 9 | 8 | 6, 5.
    # No answer names a customer: each is a cluster of its own, and the clustered variance of
    # the difference is C/(C − 1) = 10/9 times the independent one (C = 10 answers); both
    # sides are below min n, so that factor scales Rocks' adjusted variance.
    expected = compare_nps((4, 1, 1), (1, 1, 2))
    se = (expected.high - expected.low) / (2 * 1.959963984540054) * math.sqrt(10 / 9)
    assert gaps["nps"]["difference"] == pytest.approx(expected.difference)
    assert gaps["nps"]["p"] == pytest.approx(2 * stats.norm.sf(abs(expected.difference) / se))
    assert gaps["nps"]["design_effect"] == pytest.approx(10 / 9)
    assert (gaps["nps"]["own"], gaps["nps"]["competitor"]) == (pytest.approx(50.0), -25.0)
    # CSAT top-2: ours 5, 4, 4, 5 of 6; Rival 4, 5 of 4.
    csat = compare_proportions(4, 6, 2, 4)
    assert gaps["csat"]["difference"] == pytest.approx(csat.difference)
    assert all(g["brand"] == "Rival" and g["insufficient"] for g in report["gaps"])
    p_values = [g["p"] for g in report["gaps"]]
    expected_q = stats.false_discovery_control(p_values, method="bh")
    assert [g["q"] for g in report["gaps"]] == pytest.approx(list(expected_q))


def test_gaps_within_groups(loaded: Workspace) -> None:
    report = benchmark_report(loaded, MetricsQuery(by=("region",))).to_dict()
    nps = {g["scope"]["region"]: g for g in report["gaps"] if g["metric"] == "nps"}
    # north: ours 10, 9, 10 → 100; Rival 9, 8 → 50. south: ours 9, 7, 3 → 0; Rival 6, 5 → −100.
    assert nps["north"]["difference"] == pytest.approx(50.0)
    assert nps["south"]["difference"] == pytest.approx(100.0)


def test_references_from_the_model_and_a_file(loaded: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "refs.csv"
    path.write_text(
        "name,metric,value,sector,source,year\nRetail NPS,nps,20,retail,a study,2024\n"
        "Retail CES,ces_agree,70,retail,,\n",
        encoding="utf-8",
    )
    report = benchmark_report(loaded, MetricsQuery(), load_references(path)).to_dict()
    (row,) = report["references"]
    # Our 6 answers name no customer: 6 clusters of one, so the clustered variance is
    # C/(C − 1) = 6/5 times the independent one; that factor scales Rocks' variance.
    expected = nps_against((4, 1, 1), 20.0)
    se = (expected.high - expected.low) / (2 * 1.959963984540054) * math.sqrt(6 / 5)
    assert row["reference"] == "Retail NPS"
    assert row["value"] == 20.0
    assert (row["difference"], row["p"]) == (
        pytest.approx(expected.difference),
        pytest.approx(2 * stats.norm.sf(abs(expected.difference) / se)),
    )
    assert row["method"] == "one-sample z, customer-clustered"
    assert (row["sector"], row["source"], row["year"]) == ("retail", "a study", 2024)
    # nobody answered CES: said, not hidden
    assert report["unanswered"] == [{"reference": "Retail CES", "metric": "ces_agree"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,metric,value\nA,nps,20\nB,npss,1\n", "row 3: metric"),
        ("name,metric,value\nA,csat,120\n", "row 2: .*strictly between 0 and 100"),
        ("name,metric,value\nA,nps,\n", "row 2: value"),
    ],
)
def test_bad_reference_rows_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "refs.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError, match=message):
        load_references(path)


def test_a_mean_reference_outside_the_scale_is_refused(loaded: Workspace) -> None:
    bad = Reference(name="CSAT mean", metric="csat_mean", value=6.0)
    with pytest.raises(UserInputError, match="outside the scale 1–5"):
        benchmark_report(loaded, MetricsQuery(), [bad]).to_dict()


def test_metrics_count_our_brand_unless_brand_is_asked(loaded: Workspace) -> None:
    (ours,) = metrics_report(loaded, MetricsQuery()).to_dict()
    assert ours["n"] == 7  # six relationship answers and one transactional; no Rival answers
    by_brand = {
        r["brand"]: r["n"] for r in metrics_report(loaded, MetricsQuery(by=("brand",))).to_dict()
    }
    assert by_brand == {"Test Retail": 7, "Rival": 4}


def test_planted_rival_is_found(demo: Workspace) -> None:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    rival = next(e for e in planted["effects"] if e["kind"] == "brand_benchmark")
    report = benchmark_report(demo, MetricsQuery()).to_dict()
    gaps = {g["metric"]: g for g in report["gaps"] if g["brand"] == rival["where"]["brand"]}
    assert gaps["nps"]["significant"]
    assert gaps["nps"]["difference"] > 0
    assert not gaps["csat"]["significant"]  # CSAT was not shifted


def test_benchmark_command(demo: Workspace) -> None:
    result = CliRunner().invoke(app, ["benchmark", "-w", str(demo.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"brands", "gaps", "references"} <= set(report)
    assert {r["reference"] for r in report["references"]} == {r.name for r in demo.model.references}
    table = CliRunner().invoke(app, ["benchmark", "-w", str(demo.root), "--by", "region"])
    assert table.exit_code == 0
    assert "Gaps to competitors" in table.output
    refused = CliRunner().invoke(app, ["benchmark", "-w", str(demo.root), "--by", "brand"])
    assert refused.exit_code == 1
    assert "leave brand out" in refused.output
