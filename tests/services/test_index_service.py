"""`touchpoints index` on hand-made data: the tree, weights, responsiveness and reach computed
by hand, the JSON shape pinned in CONTRACTS.md, and the demo's inconsistent channel found."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import write_csv
from touchpoints.cli.app import app
from touchpoints.core.metrics.importance import relative_weights_from_data
from touchpoints.errors import UserInputError
from touchpoints.ingest import ingest_file
from touchpoints.model.load import parse_model
from touchpoints.services.index import index_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.weights import stated_weights
from touchpoints.services.workspace import Workspace

MODEL = """
name: Test Retail
timezone: Asia/Shanghai
channels:
  - {id: web, name: Web, kind: online}
  - {id: store, name: Store, kind: offline}
  - {id: app, name: App, kind: online}
touchpoints:
  - {id: web_checkout, name: Web checkout, channel: web, stage: purchase, type: checkout}
  - {id: store_checkout, name: Store checkout, channel: store, stage: purchase, type: checkout}
  - {id: app_delivery, name: Delivery tracking, channel: app, stage: use}
metrics: {min_n: 2}
index: {touchpoint_weights: %s, channel_weights: contacts}
slas:
  urgent: {response: 1h, resolution: 8h}
  normal: {response: 8h, resolution: 3d}
"""
RESPONSES = [
    ["r1", "2025-05-04 09:00", "c1", "web_checkout", "", "5", ""],
    ["r2", "2025-05-04 09:10", "c1", "web_checkout", "", "3", ""],
    ["r3", "2025-05-04 09:20", "c2", "store_checkout", "", "4", ""],
    ["r4", "2025-05-12 09:30", "c2", "store_checkout", "", "2", ""],
    ["r5", "2025-05-04 09:40", "c3", "app_delivery", "", "5", ""],
    ["r6", "2025-05-04 09:50", "c4", "web_checkout", "", "1", "Rival"],
    ["r7", "2025-05-04 10:00", "c4", "", "9", "", ""],
]
INTERACTIONS = [
    ["i1", "2025-05-04 08:00", "c1", "web"],
    ["i2", "2025-05-04 08:01", "c1", "web"],
    ["i3", "2025-05-04 08:02", "c5", "web"],
    ["i4", "2025-05-04 08:03", "c1", "store"],
    ["i5", "2025-05-04 08:04", "c3", "app"],
]
TICKETS = [
    ["t1", "2025-05-04 10:00", "urgent", "2025-05-04 10:30", "2025-05-04 20:00"],
    ["t2", "2025-05-04 10:00", "normal", "2025-05-04 20:00", "2025-05-05 10:00"],
    ["t3", "2025-05-04 10:00", "", "", ""],
]
NOON = datetime(2025, 5, 4, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _load(workspace: Workspace, tmp_path: Path, weights: str = "stated") -> Workspace:
    (workspace.root / "touchpoints.yaml").write_text(MODEL % weights, encoding="utf-8")
    workspace = Workspace.open(workspace.root)
    files = {
        "responses": (
            ["response_id", "ts", "customer", "touchpoint", "nps", "csat", "brand"],
            RESPONSES,
        ),
        "interactions": (["event_id", "ts", "customer", "channel"], INTERACTIONS),
        "tickets": (
            ["ticket_id", "created_at", "priority", "first_response_at", "resolved_at"],
            TICKETS,
        ),
    }
    for kind, (header, rows) in files.items():
        result = ingest_file(
            workspace, write_csv(tmp_path / f"{kind}.csv", header, rows), kind=kind
        )
        assert result.accepted == len(rows), result
    return workspace


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    return _load(workspace, tmp_path)


def test_tree_by_hand(loaded: Workspace) -> None:
    report = index_report(loaded, MetricsQuery(), resamples=0, now=NOON).to_dict()
    assert isinstance(report, dict)
    # web_checkout 5, 3 → 75 (the rival's 1 stays out); store 4, 2 → 50; app one 5: too few.
    tps = {t["id"]: t for t in report["touchpoints"]}
    assert (tps["web_checkout"]["score"], tps["web_checkout"]["n"]) == (75.0, 2)
    assert tps["store_checkout"]["score"] == 50.0
    assert tps["app_delivery"]["insufficient"]
    assert tps["app_delivery"]["coverage"] == 0.0
    # Contacts are distinct (customer, local day) pairs with an interaction, ticket or
    # touchpoint answer on the channel (METRICS.md). On 4 May: web c1 (i1, i2, r1, r2: one
    # contact), c5 (i3); store c1 (i4), c2 (r3); app c3 (i5, r5). On 12 May: store c2 (r4).
    # The rival's answer r6 and the relationship answer r7 are no contact of ours. So web 2,
    # store 3, app 1 → weights 2/6, 3/6, 1/6; app unmeasured drops out.
    channels = {c["id"]: c for c in report["channels"]}
    assert [channels[c]["weight"] for c in ("web", "store", "app")] == pytest.approx(
        [2 / 6, 3 / 6, 1 / 6]
    )
    assert report["overall"]["score"] == pytest.approx((2 * 75 + 3 * 50) / 5)
    assert report["overall"]["coverage"] == pytest.approx(5 / 6)
    assert report["weights"] == {"touchpoints": "equal", "channels": "contacts"}
    stages = {s["id"]: s for s in report["stages"]}
    # purchase: web_checkout g = ⅓, store_checkout g = ½ → (⅓ · 75 + ½ · 50) / ⅚ = 60.
    assert stages["purchase"]["score"] == pytest.approx(60.0)
    assert stages["use"]["coverage"] == 0.0
    assert stages["use"]["score"] is None


def test_responsiveness_by_hand(loaded: Workspace) -> None:
    service = index_report(loaded, MetricsQuery(), resamples=0, now=NOON).to_dict()[
        "responsiveness"
    ]  # type: ignore[call-overload]
    # At noon t3 (normal, 2 h old, no response) is not due yet: it counts in neither figure.
    assert (service["n"], service["response_due"], service["resolution_due"]) == (3, 2, 2)
    assert service["response_attainment"] == 50.0  # t1 in 30 min met 1 h; t2 in 10 h missed 8 h
    assert service["resolution_attainment"] == 50.0  # t1 10 h missed 8 h; t2 24 h met 3 d
    assert (service["response_pending"], service["resolution_pending"]) == (1, 1)  # t3
    # Kaplan–Meier, t3 censored at 2 h (METRICS.md: responsiveness). Response: 0.5 h (3 at
    # risk, S = ⅔), 2 h censored, 10 h (1 at risk, S = 0) → 10 h. Resolution: 2 h censored,
    # 10 h (2 at risk, S = ½) → 10 h. The closed tickets alone gave 5.25 h and 17 h.
    assert service["first_response_median_h"] == pytest.approx(10.0)
    assert service["resolution_median_h"] == pytest.approx(10.0)
    urgent = next(p for p in service["priorities"] if p["priority"] == "urgent")
    assert (urgent["response_attainment"], urgent["resolution_attainment"]) == (100.0, 0.0)
    assert (urgent["response_target_h"], urgent["resolution_target_h"]) == (1.0, 8.0)
    later = index_report(loaded, MetricsQuery(), resamples=0).to_dict()["responsiveness"]  # type: ignore[call-overload]
    assert later["response_due"] == 3
    assert later["response_attainment"] == pytest.approx(100 / 3)


def test_reach_by_hand(loaded: Workspace) -> None:
    reach = index_report(loaded, MetricsQuery(), resamples=0, now=NOON).to_dict()["reach"]  # type: ignore[call-overload]
    assert reach["touchpoints"] == {"with_data": 3, "configured": 3, "share": 100.0}
    # c1: web and store; c2 store; c3 app; c5 web. c4 answered only about the rival and in a
    # relationship survey (no channel): not counted. One of four used two channels.
    assert reach["customers"] == {"total": 4, "multichannel": 1, "share": 25.0}


def test_periods_give_a_list(loaded: Workspace) -> None:
    reports = index_report(loaded, MetricsQuery(period="week"), resamples=0, now=NOON).to_dict()
    assert isinstance(reports, list)
    assert [r["period"] for r in reports] == ["2025-04-28", "2025-05-12"]
    assert reports[1]["touchpoints"][1]["n"] == 1  # r4, the only answer that week
    # That week's only contact is c2's answer at the store: answers are contacts too.
    assert reports[1]["weights"]["channels"] == "contacts"
    assert {c["id"]: c["weight"] for c in reports[1]["channels"]}["store"] == 1.0


def test_by_and_where_are_refused(loaded: Workspace) -> None:
    with pytest.raises(UserInputError, match="takes no by or where"):
        index_report(loaded, MetricsQuery(by=("channel",))).to_dict()


def test_stated_weights_fill_the_rest_of_a_channel() -> None:
    model = parse_model(
        {
            "name": "x",
            "channels": [
                {"id": "web", "name": "Web", "kind": "online"},
                {"id": "app", "name": "App", "kind": "online"},
            ],
            "touchpoints": [
                {"id": "a", "name": "A", "channel": "web", "stage": "purchase", "weight": 0.4},
                {"id": "b", "name": "B", "channel": "web", "stage": "purchase"},
                {"id": "c", "name": "C", "channel": "web", "stage": "purchase"},
                {"id": "d", "name": "D", "channel": "app", "stage": "purchase", "weight": 3},
                {"id": "e", "name": "E", "channel": "app", "stage": "purchase", "weight": 5},
                {"id": "f", "name": "F", "channel": "app", "stage": "purchase"},
            ],
        }
    )
    # web: 0.4 is a share, b and c split the other 0.6; app: 3 and 5 are relative, f takes 4.
    assert stated_weights(model) == {"a": 0.4, "b": 0.3, "c": 0.3, "d": 3, "e": 5, "f": 4.0}


def test_derived_weights_from_a_relationship_survey(workspace: Workspace, tmp_path: Path) -> None:
    """attr.<touchpoint> ratings against NPS: the engine's pairwise correlations give the
    weights pandas' pairwise-complete correlations give on the same rows."""
    (workspace.root / "touchpoints.yaml").write_text(MODEL % "derived", encoding="utf-8")
    workspace = Workspace.open(workspace.root)
    rng = np.random.default_rng(0)
    n = 300
    ratings = rng.integers(1, 6, size=(n, 3)).astype(float)
    nps = np.clip(
        np.round(2.0 * ratings[:, 0] + 0.5 * ratings[:, 1] - 2 + rng.normal(0, 1.5, n)), 0, 10
    )
    ratings[rng.random((n, 3)) < 0.2] = np.nan  # not everyone rates every touchpoint
    frame = pd.DataFrame(
        ratings, columns=["attr.web_checkout", "attr.store_checkout", "attr.app_delivery"]
    )
    frame.insert(0, "response_id", [f"s{i}" for i in range(n)])
    frame.insert(1, "ts", "2025-06-01 10:00")
    frame["nps"] = nps
    path = tmp_path / "relationship.csv"
    frame.to_csv(path, index=False)
    assert ingest_file(workspace, path, kind="responses").accepted == n
    report = index_report(workspace, MetricsQuery(), resamples=0).to_dict()
    derivation = report["weights"]["derivation"]  # type: ignore[call-overload]
    assert report["weights"]["touchpoints"] == "derived"  # type: ignore[call-overload]
    assert derivation["source"] == "relationship survey"
    expected = relative_weights_from_data(frame.drop(columns=["response_id", "ts"]), outcome="nps")
    for driver, share, count in zip(
        expected.drivers, expected.share, expected.n.values(), strict=True
    ):
        found = derivation["drivers"][driver.removeprefix("attr.")]
        assert found["share"] == pytest.approx(share)
        assert found["n"] == count
    assert derivation["r2"] == pytest.approx(expected.r2)
    top = max(derivation["drivers"], key=lambda d: derivation["drivers"][d]["share"])
    assert top == "web_checkout"


def test_derived_weights_without_data_fall_back_to_equal(
    workspace: Workspace, tmp_path: Path
) -> None:
    workspace = _load(workspace, tmp_path, weights="derived")
    report = index_report(workspace, MetricsQuery(), resamples=0, now=NOON).to_dict()
    assert report["weights"]["touchpoints"] == "equal"  # type: ignore[call-overload]
    assert "no data to derive" in report["weights"]["derivation"]["note"]  # type: ignore[call-overload]


def test_planted_inconsistent_channel_is_found(demo: Workspace) -> None:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    where = next(e for e in planted["effects"] if e["kind"] == "inconsistent_channel")["where"]
    report = index_report(demo, MetricsQuery(), resamples=200).to_dict()
    groups = {g["id"]: g for g in report["consistency"] if g["group"] == "type"}  # type: ignore[call-overload]
    kind = demo.model.touchpoint(where["touchpoint"]).type
    assert min(groups.values(), key=lambda g: g["score"])["id"] == kind
    found = groups[kind]
    assert found["differ"]
    assert found["kruskal_p"] < 0.001
    worst = min(found["channels"], key=lambda c: c["score"])
    assert worst["channel"] == where["channel"]


def test_index_command_json(demo: Workspace) -> None:
    result = CliRunner().invoke(
        app, ["index", "-w", str(demo.root), "--format", "json", "--resamples", "100"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {
        "overall",
        "channels",
        "stages",
        "touchpoints",
        "consistency",
        "responsiveness",
        "reach",
    } <= set(report)
    assert set(report["overall"]) >= {"score", "low", "high", "n", "weight", "coverage"}
    assert "id" not in report["overall"]
    for node in report["channels"] + report["stages"] + report["touchpoints"]:
        assert {"id", "score", "low", "high", "n", "weight", "coverage"} <= set(node)
    assert {"channel", "stage"} <= set(report["touchpoints"][0])
    assert report["overall"]["low"] <= report["overall"]["score"] <= report["overall"]["high"]
    weekly = CliRunner().invoke(
        app,
        [
            "index",
            "-w",
            str(demo.root),
            "--period",
            "quarter",
            "--format",
            "json",
            "--resamples",
            "0",
        ],
    )
    assert [r["period"] for r in json.loads(weekly.output)] == [
        "2025-01-01",
        "2025-04-01",
        "2025-07-01",
        "2025-10-01",
    ]
    table = CliRunner().invoke(app, ["index", "-w", str(demo.root), "--resamples", "50"])
    assert table.exit_code == 0
    assert "MTSI" in table.output
    assert "Responsiveness" in table.output
