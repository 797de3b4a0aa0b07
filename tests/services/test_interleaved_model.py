"""A model whose touchpoints interleave their channels, types and stages: the services that
group touchpoints (issue 15: once, with a dictionary, not one scan per channel or group) put
every touchpoint and answer in its own group, in the model's order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import write_csv
from touchpoints.core.metrics.consistency import consistency_from_counts
from touchpoints.core.result import TableView
from touchpoints.ingest import ingest_file
from touchpoints.services.index import index_report
from touchpoints.services.metrics import metrics_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.selection import stage_sql
from touchpoints.services.weights import stated_weights
from touchpoints.services.workspace import Workspace

MODEL = """
name: Interleaved
channels:
  - {id: web, name: Web, kind: online}
  - {id: store, name: Store, kind: offline}
touchpoints:
  - {id: web_checkout, name: Web checkout, channel: web, stage: purchase, type: checkout,
     weight: 0.5}
  - {id: store_help, name: Store help, channel: store, stage: feedback, type: help, weight: 2}
  - {id: web_search, name: Web search, channel: web, stage: awareness}
  - {id: store_checkout, name: Store checkout, channel: store, stage: purchase, type: checkout}
  - {id: web_help, name: Web help, channel: web, stage: feedback, type: help}
metrics: {min_n: 2}
"""
CSAT = {  # ratings per touchpoint: help's channels use other ratings than checkout's
    "web_checkout": [5, 4],
    "store_help": [5, 5, 4],
    "web_search": [3, 3],
    "store_checkout": [3, 3],
    "web_help": [1, 2],
}


@pytest.fixture
def interleaved(workspace: Workspace, tmp_path: Path) -> Workspace:
    (workspace.root / "touchpoints.yaml").write_text(MODEL, encoding="utf-8")
    workspace = Workspace.open(workspace.root)
    rows = [
        [f"{tp}-{i}", "2025-05-06 09:00", tp, str(rating)]
        for tp, ratings in CSAT.items()
        for i, rating in enumerate(ratings)
    ]
    path = write_csv(tmp_path / "responses.csv", ["response_id", "ts", "touchpoint", "csat"], rows)
    assert ingest_file(workspace, path, kind="responses").accepted == len(rows)
    return workspace


def test_stated_weights_fill_each_channel_from_its_own_touchpoints(
    interleaved: Workspace,
) -> None:
    # web: 0.5 is a share, search and help split the other half; store: help's 2 is relative,
    # checkout takes the mean of the stated ones (2).
    assert stated_weights(interleaved.model) == {
        "web_checkout": 0.5,
        "web_search": 0.25,
        "web_help": 0.25,
        "store_help": 2,
        "store_checkout": 2.0,
    }


def test_index_tree_lists_each_touchpoint_under_its_channel(interleaved: Workspace) -> None:
    result = index_report(interleaved, MetricsQuery(), resamples=0)
    tree = next(v for v in result.views() if isinstance(v, TableView))
    assert [row[0].text for row in tree.rows] == [
        "overall",
        "web",
        "  └ web_checkout",
        "  └ web_search",
        "  └ web_help",
        "store",
        "  └ store_help",
        "  └ store_checkout",
    ]


def test_consistency_compares_each_group_on_its_own_answers(interleaved: Workspace) -> None:
    """Types as the model first names them, then stages spanning two channels; each group's
    figures are those of its own answers only, its own ratings as the columns."""
    report = index_report(interleaved, MetricsQuery(), resamples=0).to_dict()
    groups = report["consistency"]  # type: ignore[call-overload]
    assert [(g["group"], g["id"]) for g in groups] == [
        ("type", "checkout"),
        ("type", "help"),
        ("stage", "purchase"),
        ("stage", "feedback"),
    ]
    help_counts = pd.DataFrame(
        {1: [1, 0], 2: [1, 0], 4: [0, 1], 5: [0, 2]}, index=["web", "store"], dtype=float
    )
    expected = consistency_from_counts(help_counts, scale=(1, 5), top_from=4)
    found = groups[1]
    assert {c["channel"]: c["n"] for c in found["channels"]} == {"web": 2, "store": 3}
    assert found["score"] == pytest.approx(expected.score)
    assert found["chi2_p"] == pytest.approx(expected.chi2_p)
    assert found["kruskal_p"] == pytest.approx(expected.kruskal_p)
    # checkout: web 5, 4 (mean 4.5, sd √0.5) and store 3, 3 (sd 0) on 1–5; 0–100 scores
    assert groups[0]["channels"] == [
        {"channel": "store", "score": 50.0, "n": 2, "mean": 3.0, "sd": 0.0},
        {"channel": "web", "score": 87.5, "n": 2, "mean": 4.5, "sd": pytest.approx(0.5**0.5)},
    ]


def test_answers_count_at_the_stage_of_their_touchpoint(interleaved: Workspace) -> None:
    rows = metrics_report(interleaved, MetricsQuery(by=("stage",))).to_dict()
    assert [(r["stage"], r["n"]) for r in rows] == [
        ("awareness", 2),
        ("feedback", 5),
        ("purchase", 4),
    ]


def test_the_stage_of_a_touchpoint_is_one_branch_per_stage(interleaved: Workspace) -> None:
    """Not one per touchpoint: the engine tries a CASE's branches row by row."""
    sql = stage_sql(interleaved.model)
    assert sql.count("WHEN") == 3  # purchase, feedback, awareness: the stages in use
    found = duckdb.sql(
        f"SELECT {sql} FROM (VALUES ('store_help'), ('web_search'), ('gone'), (NULL)) "
        "AS answers(touchpoint)"
    ).fetchall()
    assert found == [("feedback",), ("awareness",), (None,), (None,)]
