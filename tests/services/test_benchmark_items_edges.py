"""Edges of benchmark, items/CSI, the engine clock, own-brand filtering and NPS intervals:
each pins a bug a review found."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ingest, write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics.items import csi
from touchpoints.errors import UserInputError
from touchpoints.ingest.references import load_references
from touchpoints.model.schema import Reference
from touchpoints.services.benchmark import benchmark_report
from touchpoints.services.items import items_report
from touchpoints.services.metrics import metrics_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace


def _model(workspace: Workspace, old: str, new: str) -> Workspace:
    path = workspace.root / "touchpoints.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return Workspace.open(workspace.root)


SCALES = "metrics: {scales: {csat: [1, 5], ces: [1, 7]}}"


def _benchmark_ws(workspace: Workspace, tmp_path: Path, settings: str) -> Workspace:
    """Ten own and ten Rival relationship answers; only the first of each answers NPS."""
    workspace = _model(workspace, SCALES, settings)
    rows = [
        [f"o{i}", "2025-03-01 10:00", "" if i else "10", "4" if i % 2 else "2", ""]
        for i in range(10)
    ]
    rows += [
        [f"c{i}", "2025-03-01 10:00", "" if i else "5", "3" if i % 2 else "5", "Rival"]
        for i in range(10)
    ]
    header = ["response_id", "ts", "nps", "csat", "brand"]
    assert ingest(workspace, write_csv(tmp_path / "b.csv", header, rows)).accepted == 20
    return workspace


ITEMS_HEADER = ["response_id", "ts", "region", "attr.wait", "attr.staff"]
ITEMS_ROWS = [
    ["r1", "2025-03-01 10:00", "north", "5", "4"],
    ["r2", "2025-03-01 10:00", "north", "4", ""],
    ["r3", "2025-03-01 10:00", "south", "", "3"],
    ["r4", "2025-03-01 10:00", "south", "", "5"],
]


@pytest.fixture
def rated(workspace: Workspace, tmp_path: Path) -> Workspace:
    path = write_csv(tmp_path / "items.csv", ITEMS_HEADER, ITEMS_ROWS)
    assert ingest(workspace, path).accepted == len(ITEMS_ROWS)
    return workspace


# --- own brand ------------------------------------------------------------------------------


def test_brand_differing_only_in_case_counts_as_own(workspace: Workspace, tmp_path: Path) -> None:
    """An answer with brand 'test retail' is about 'Test Retail' (names match without case)."""
    rows = [
        ["a", "2025-03-01 10:00", "10", ""],
        ["b", "2025-03-01 10:00", "3", "test retail"],
        ["c", "2025-03-01 10:00", "3", "Rival"],
    ]
    path = write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps", "brand"], rows)
    assert ingest(workspace, path).accepted == 3
    assert metrics_report(workspace, MetricsQuery()).to_dict()[0]["n"] == 2


# --- benchmark ------------------------------------------------------------------------------


def test_benchmark_insufficient_counts_the_metrics_answers(
    workspace: Workspace, tmp_path: Path
) -> None:
    """An NPS gap/reference from one NPS answer a side is insufficient (min_n counts answers)."""
    ws = _benchmark_ws(workspace, tmp_path, "metrics: {min_n: 5}")
    report = benchmark_report(
        ws, MetricsQuery(), [Reference(name="R", metric="nps", value=30)]
    ).to_dict()
    nps_gap = next(g for g in report["gaps"] if g["metric"] == "nps")
    assert nps_gap["insufficient"]
    assert report["references"][0]["insufficient"]


def test_benchmark_gap_interval_uses_configured_confidence(
    workspace: Workspace, tmp_path: Path
) -> None:
    """At confidence 0.8 the CSAT gap half-width is z(0.9) × the clustered se, not 1.96 × se.
    No answer names a customer: 20 clusters of one answer, so the clustered variance is
    20/19 × the unpooled one."""
    ws = _benchmark_ws(workspace, tmp_path, "metrics: {min_n: 5, confidence: 0.8}")
    gap = next(
        g for g in benchmark_report(ws, MetricsQuery()).to_dict()["gaps"] if g["metric"] == "csat"
    )
    se = math.sqrt(0.5 * 0.5 / 10 + 0.5 * 0.5 / 10)  # 5 of 10 top-2 on both sides
    assert gap["high"] - gap["difference"] == pytest.approx(
        1.2815516 * se * math.sqrt(20 / 19) * 100
    )


def test_one_answer_is_not_significantly_above_a_reference(
    workspace: Workspace, tmp_path: Path
) -> None:
    """One promoter is not significantly above NPS 30 (Wald se is 0; Rocks below min_n)."""
    rows = [["o1", "2025-03-01 10:00", "10"]]
    assert ingest(workspace, write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps"], rows))
    report = benchmark_report(
        workspace, MetricsQuery(), [Reference(name="R", metric="nps", value=30)]
    ).to_dict()
    (against,) = report["references"]
    assert not against["significant"]
    assert against["low"] < 0 < against["high"]


def test_reference_without_own_answers_is_listed_unanswered(
    workspace: Workspace, tmp_path: Path
) -> None:
    """With only competitor answers, the reference is in `unanswered`, not dropped (docs)."""
    rows = [["c1", "2025-03-01 10:00", "9", "Rival"]]
    path = write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps", "brand"], rows)
    assert ingest(workspace, path).accepted == 1
    report = benchmark_report(
        workspace, MetricsQuery(), [Reference(name="R", metric="nps", value=30)]
    ).to_dict()
    assert [u["reference"] for u in report["unanswered"]] == ["R"]


def test_benchmark_table_shows_unanswered_references(workspace: Workspace, tmp_path: Path) -> None:
    """A reference without answers (CES here) is named in the table output, not hidden."""
    rows = [["o1", "2025-03-01 10:00", "9"]]
    assert ingest(workspace, write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps"], rows))
    ref = write_csv(
        tmp_path / "ref.csv", ["name", "metric", "value"], [["SectorCES", "ces_mean", 4]]
    )
    result = CliRunner().invoke(
        app, ["benchmark", "-w", str(workspace.root), "--reference", str(ref)]
    )
    assert result.exit_code == 0, result.output
    assert "SectorCES" in result.output


def test_benchmark_csv_flattens_scope(workspace: Workspace, tmp_path: Path) -> None:
    """CSV rows carry the scope's keys as columns (as `changes` does), not a `scope` dict cell."""
    rows = [
        ["o1", "2025-03-01 10:00", "9", "", "north"],
        ["c1", "2025-03-01 10:00", "5", "Rival", "north"],
    ]
    header = ["response_id", "ts", "nps", "brand", "region"]
    assert ingest(workspace, write_csv(tmp_path / "r.csv", header, rows)).accepted == 2
    result = CliRunner().invoke(
        app, ["benchmark", "-w", str(workspace.root), "--by", "region", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["region"] == "north"
    assert "scope" not in row


def test_reference_file_in_gbk_is_read(workspace: Workspace, tmp_path: Path) -> None:
    """A GBK-encoded reference CSV (Excel in China) is read like any other, names intact."""
    ref = tmp_path / "ref.csv"
    ref.write_bytes("name,metric,value\n零售业,nps,30\n".encode("gbk"))
    result = CliRunner().invoke(
        app,
        ["benchmark", "-w", str(workspace.root), "--reference", str(ref), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unanswered"] == [{"reference": "零售业", "metric": "nps"}]


def test_reference_file_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    """The bad row on line 5 (after blank lines) is reported as row 5, where the user finds it."""
    ref = tmp_path / "ref.csv"
    ref.write_text("name,metric,value\n\nRetail,nps,30\n\nBad,nps,300\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="row 5"):
        load_references(ref)


# --- items and the CSI ----------------------------------------------------------------------


def test_items_on_an_empty_selection(rated: Workspace) -> None:
    """--since after all data: an empty report or a clear UserInputError, not an engine error."""
    try:
        report = items_report(rated, MetricsQuery(since=date(2030, 1, 1)), resamples=0).to_dict()
    except UserInputError:
        return
    assert report["items"] == []


@pytest.mark.parametrize(
    "weights", [{"attr.wait": 0.0, "attr.staff": 0.0}, {"attr.wait": math.nan}]
)
def test_items_bad_weights_are_a_user_error(rated: Workspace, weights: dict[str, float]) -> None:
    """Weights summing to 0 or NaN are refused as a user error (CLI: one line, exit 1)."""
    with pytest.raises(UserInputError):
        items_report(rated, MetricsQuery(), weights=weights, resamples=0).to_dict()


def test_csi_weighted_item_without_answers_in_selection(rated: Workspace) -> None:
    """All weight on attr.wait, unanswered in the south: no CSI (not attr.staff's score 75)."""
    report = items_report(
        rated, MetricsQuery(where={"region": "south"}), weights={"attr.wait": 1.0}, resamples=0
    ).to_dict()
    assert report["csi"][0]["csi"] is None


def test_csi_ignores_zero_weighted_item_without_answers() -> None:
    """Weight 0 on an unrated item leaves CSI = the weighted item's score: (4.5 − 1) / 4 = 87.5."""
    answers = pd.DataFrame({"a": [4, 5], "b": [np.nan, np.nan]})
    found = csi(answers, scale=(1, 5), weights={"a": 1, "b": 0}, min_n=1, resamples=0)
    assert found.value == pytest.approx(87.5)


# --- the engine clock -----------------------------------------------------------------------


def test_metrics_over_the_whole_accepted_date_range_in_a_dst_zone(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Yearly metrics over 1970 and 2100 (both accepted by ingest) in Europe/Berlin work."""
    ws = _model(workspace, "Asia/Shanghai", "Europe/Berlin")
    rows = [["a", "1970-01-02 10:00", "9"], ["b", "2100-12-30 10:00", "9"]]
    assert (
        ingest(ws, write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps"], rows)).accepted == 2
    )
    rows = metrics_report(ws, MetricsQuery(period="year")).to_dict()
    assert [(r["period"], r["n"]) for r in rows] == [("1970-01-01", 1), ("2100-01-01", 1)]
