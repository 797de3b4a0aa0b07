"""`touchpoints items` on hand-made relationship answers: per-item figures and the CSI by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from conftest import write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics.items import csi, csi_from_patterns
from touchpoints.errors import UserInputError
from touchpoints.ingest import ingest_file
from touchpoints.services import items as items_service
from touchpoints.services.items import items_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "region", "attr.wait", "attr.staff", "sem.quality.1"]
ROWS = [
    ["s1", "2025-03-01 10:00", "north", "5", "4", "9"],
    ["s2", "2025-03-01 10:00", "north", "4", "4", "8"],
    ["s3", "2025-03-01 10:00", "south", "2", "3", "3"],
    ["s4", "2025-03-01 10:00", "south", "", "5", "7"],
    ["s5", "2025-03-01 10:00", "south", "1", "1", "2"],
]


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    path = write_csv(tmp_path / "rel.csv", HEADER, ROWS)
    assert ingest_file(workspace, path, kind="responses").accepted == len(ROWS)
    return workspace


def test_items_by_hand(loaded: Workspace) -> None:
    report = items_report(loaded, MetricsQuery(), resamples=0).to_dict()
    items = {r["item"]: r for r in report["items"]}
    assert set(items) == {"attr.wait", "attr.staff"}  # sem.* is not an attr.* item
    wait = items["attr.wait"]
    # wait: 5, 4, 2, 1 (s4 skipped): mean 3, score 50, top-2 2 of 4, bottom-2 2 of 4.
    assert (wait["n"], wait["mean"], wait["score"]) == (4, 3.0, 50.0)
    assert (wait["top_box"], wait["bottom_box"]) == (50.0, 50.0)
    (index,) = report["csi"]
    frame = pd.DataFrame({"wait": [5, 4, 2, None, 1], "staff": [4, 4, 3, 5, 1]})
    assert index["csi"] == pytest.approx(csi(frame, scale=(1, 5), resamples=0).value)
    assert index["n"] == 5
    assert index["insufficient"]


def test_groups_weights_and_other_items(loaded: Workspace) -> None:
    report = items_report(
        loaded,
        MetricsQuery(by=("region",)),
        weights={"attr.wait": 3, "attr.staff": 1},
        resamples=200,
    ).to_dict()
    north = next(r for r in report["csi"] if r["region"] == "north")
    # north: wait 5, 4 → 87.5; staff 4, 4 → 75 → 0.75 × 87.5 + 0.25 × 75.
    assert north["csi"] == pytest.approx(0.75 * 87.5 + 0.25 * 75)
    assert report["weights"] == {"attr.wait": 0.75, "attr.staff": 0.25}
    sem = items_report(
        loaded, MetricsQuery(), items=["sem.*"], scale=(1, 10), resamples=0
    ).to_dict()
    assert sem["items"][0]["mean"] == pytest.approx(29 / 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": ["kano.*"]}, "no stored item matches kano"),
        ({"items": ["sem.*"]}, "outside the scale 1–5"),
        ({"weights": {"attr.price": 1.0}}, "not chosen: attr.price"),
    ],
)
def test_clear_errors(loaded: Workspace, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        items_report(loaded, MetricsQuery(), resamples=0, **kwargs).to_dict()  # type: ignore[arg-type]


def test_items_command(loaded: Workspace) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["items", "-w", str(loaded.root), "--by", "region", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"scale", "weights", "items", "csi"} <= set(report)
    table = runner.invoke(app, ["items", "-w", str(loaded.root), "--weight", "attr.wait=2"])
    assert table.exit_code == 0
    assert "CSI" in table.output
    bad = runner.invoke(app, ["items", "-w", str(loaded.root), "--scale", "5,1"])
    assert bad.exit_code == 1
    assert "LOW < HIGH" in bad.output


def test_the_csi_resamples_customers(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine sends each customer's patterns under one number (METRICS.md, *Inference*):
    u1's two responses stay together; a response without a customer is one of its own."""
    customers = ["u1", "u1", "u2", "", "u3"]
    rows = [[*row[:2], who, *row[2:]] for row, who in zip(ROWS, customers, strict=True)]
    header = [*HEADER[:2], "customer", *HEADER[2:]]
    path = write_csv(tmp_path / "r.csv", header, rows)
    assert ingest_file(workspace, path, kind="responses").accepted == 5
    seen: list[pd.DataFrame] = []
    real = csi_from_patterns

    def spy(patterns: pd.DataFrame, counts: Any, **options: Any) -> Any:
        seen.append(patterns.assign(customer=options["customers"]))
        return real(patterns, counts, **options)

    monkeypatch.setattr(items_service, "csi_from_patterns", spy)
    report = items_report(workspace, MetricsQuery(), resamples=100).to_dict()
    (index,) = report["csi"]
    assert index["method"] == "bootstrap-customers (percentile), 100 resamples, seed 0"
    (patterns,) = seen
    by_wait = dict(zip(patterns["attr.wait"].fillna(0), patterns["customer"], strict=True))
    assert by_wait[5] == by_wait[4]  # s1 and s2: u1
    assert len({by_wait[w] for w in (5, 2, 0, 1)}) == 4  # u1, u2, s4 alone, u3
    frame = pd.DataFrame({"wait": [5, 4, 2, None, 1], "staff": [4, 4, 3, 5, 1]})
    assert index["csi"] == pytest.approx(csi(frame, scale=(1, 5), resamples=0).value)


def test_item_intervals_treat_customers_as_clusters(workspace: Workspace, tmp_path: Path) -> None:
    """Customer a answers 5 and 5 in two surveys, b 1 and 1, c and d 3 once each: the
    mean's interval is statsmodels' cluster-robust t interval (clusters: the customers),
    clipped to 1–5; by hand mean 3, Σe² = 4² + 4² = 32, var = 4/3 × 32/36 = 1.185, design
    effect 1.185 / (3.2 / 6) = 2.22."""
    rows = [
        ["r1", "2025-03-01 10:00", "a@example.com", "5"],
        ["r2", "2025-04-01 10:00", "a@example.com", "5"],
        ["r3", "2025-03-01 10:00", "b@example.com", "1"],
        ["r4", "2025-04-01 10:00", "b@example.com", "1"],
        ["r5", "2025-03-01 10:00", "c@example.com", "3"],
        ["r6", "2025-03-01 10:00", "d@example.com", "3"],
    ]
    path = write_csv(tmp_path / "rel.csv", ["response_id", "ts", "customer", "attr.wait"], rows)
    assert ingest_file(workspace, path, kind="responses").accepted == len(rows)
    (item,) = items_report(workspace, MetricsQuery(), resamples=0).to_dict()["items"]
    assert (item["n"], item["customers"]) == (6, 4)
    assert item["design_effect"]["mean"] == pytest.approx((4 / 3 * 32 / 36) / (3.2 / 6))
    assert item["method"] == {"mean": "t", "top_box": "wilson", "bottom_box": "wilson"}
    fit = sm.OLS(np.array([5, 5, 1, 1, 3, 3.0]), np.ones(6)).fit(
        cov_type="cluster", cov_kwds={"groups": np.array([0, 0, 1, 1, 2, 3])}, use_t=True
    )
    low, high = fit.conf_int(0.05)[0]
    assert (item["mean_low"], item["mean_high"]) == (max(low, 1.0), min(high, 5.0))
