"""`touchpoints index` at its edges: channels without touchpoints or contacts, weights of
zero, periods without answers, tickets resolved before a first response, empty reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import write_csv
from touchpoints.errors import TouchpointsError
from touchpoints.ingest import ingest_file
from touchpoints.services.index import index_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

MODEL = """
name: Review
timezone: Asia/Shanghai
channels:
  - {{id: web, name: Web, kind: online{web}}}
  - {{id: store, name: Store, kind: offline{store}}}
  - {{id: phone, name: Phone, kind: offline{phone}}}
touchpoints:
  - {{id: web_checkout, name: Web checkout, channel: web, stage: purchase}}
  - {{id: store_checkout, name: Store checkout, channel: store, stage: purchase}}
metrics: {{min_n: 2}}
index: {{touchpoint_weights: stated, channel_weights: {channels}}}
slas:
  urgent: {{response: 1h, resolution: 8h}}
"""
RESPONSES = (
    ["response_id", "ts", "touchpoint", "csat"],
    [
        ["r1", "2025-05-06 09:00", "web_checkout", "5"],
        ["r2", "2025-05-06 09:10", "web_checkout", "4"],
        ["r3", "2025-05-06 09:20", "store_checkout", "3"],
        ["r4", "2025-05-06 09:30", "store_checkout", "3"],
    ],
)
TICKET_HEADER = ["ticket_id", "created_at", "priority", "first_response_at", "resolved_at"]


def _workspace(
    workspace: Workspace,
    tmp_path: Path,
    files: dict[str, tuple[list[str], list[list[str]]]],
    channels: str = "contacts",
    **weights: str,
) -> Workspace:
    stated = {
        c: f", weight: {weights[c]}" if c in weights else "" for c in ("web", "store", "phone")
    }
    model = MODEL.format(channels=channels, **stated)
    (workspace.root / "touchpoints.yaml").write_text(model, encoding="utf-8")
    workspace = Workspace.open(workspace.root)
    for kind, (header, rows) in files.items():
        path = write_csv(tmp_path / f"{kind}.csv", header, rows)
        assert ingest_file(workspace, path, kind=kind).accepted == len(rows)
    return workspace


def _one(report: dict[str, Any] | list[dict[str, Any]]) -> dict[str, Any]:
    assert isinstance(report, dict)
    return report


def test_contacts_only_on_a_channel_without_touchpoints(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Interactions only on `phone` (no touchpoints) must not crash: weigh by answers instead."""
    interactions = (["event_id", "ts", "channel"], [["i1", "2025-05-06 08:00", "phone"]])
    workspace = _workspace(
        workspace, tmp_path, {"responses": RESPONSES, "interactions": interactions}
    )
    report = _one(index_report(workspace, MetricsQuery(), resamples=0).to_dict())
    assert report["overall"]["score"] is not None


def test_all_stated_channel_weights_zero_is_a_user_error(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Every channel weighted 0 is a configuration mistake: a TouchpointsError, not a crash."""

    def zero_weights() -> None:
        built = _workspace(
            workspace,
            tmp_path,
            {"responses": RESPONSES},
            channels="stated",
            web="0",
            store="0",
            phone="0",
        )
        index_report(built, MetricsQuery(), resamples=0).to_dict()

    with pytest.raises(TouchpointsError):  # from the model or from the index
        zero_weights()


def test_stated_channel_without_touchpoints_lowers_coverage(
    workspace: Workspace, tmp_path: Path
) -> None:
    """METRICS.md: coverage is the weight share actually measured; phone's half is not."""
    workspace = _workspace(
        workspace,
        tmp_path,
        {"responses": RESPONSES},
        channels="stated",
        web="1",
        store="1",
        phone="2",
    )
    report = _one(index_report(workspace, MetricsQuery(), resamples=0).to_dict())
    assert report["overall"]["coverage"] == pytest.approx(0.5)


def test_period_with_tickets_but_no_responses_is_reported(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A week with tickets and no answers still has its responsiveness (CONTRACTS: per period)."""
    tickets = (
        TICKET_HEADER,
        [
            ["t1", "2025-05-06 10:00", "urgent", "2025-05-06 10:20", "2025-05-06 12:00"],
            ["t2", "2025-05-13 10:00", "urgent", "2025-05-13 10:20", "2025-05-13 12:00"],
        ],
    )
    workspace = _workspace(workspace, tmp_path, {"responses": RESPONSES, "tickets": tickets})
    reports = index_report(workspace, MetricsQuery(period="week"), resamples=0).to_dict()
    assert isinstance(reports, list)
    weeks = {r["period"]: r for r in reports}
    assert "2025-05-12" in weeks
    assert weeks["2025-05-12"]["responsiveness"]["n"] == 1


def test_resolution_counts_as_the_first_response(workspace: Workspace, tmp_path: Path) -> None:
    """A ticket resolved in 30 min answered its customer within the 1 h response target."""
    tickets = (
        TICKET_HEADER,
        [
            # resolved in 30 min, no first response recorded
            ["t1", "2025-05-06 10:00", "urgent", "", "2025-05-06 10:30"],
            # resolved in 10 min, the "first response" logged 50 min in, after the resolution
            ["t2", "2025-05-06 10:00", "urgent", "2025-05-06 10:50", "2025-05-06 10:10"],
        ],
    )
    workspace = _workspace(workspace, tmp_path, {"responses": RESPONSES, "tickets": tickets})
    service = _one(index_report(workspace, MetricsQuery(), resamples=0).to_dict())["responsiveness"]
    assert service["responded"] == 2
    assert service["response_attainment"] == 100.0
    # Responses after 30 and 10 min: the Kaplan–Meier median is where S first reaches ½,
    # 10 min (as lifelines reports it), not the midpoint 20 min.
    assert service["first_response_median_h"] == pytest.approx(10 / 60)


def test_reach_reports_zero_touchpoints_with_data(workspace: Workspace, tmp_path: Path) -> None:
    """A period with data but none on configured touchpoints reaches 0 of 2 (METRICS: reach)."""
    relationship = (
        ["response_id", "ts", "customer", "channel", "nps"],
        [["r1", "2025-05-06 09:00", "c1", "web", "9"], ["r2", "2025-05-06 09:00", "c2", "", "3"]],
    )
    workspace = _workspace(workspace, tmp_path, {"responses": relationship})
    reach = _one(index_report(workspace, MetricsQuery(), resamples=0).to_dict())["reach"]
    assert reach["touchpoints"] == {"with_data": 0, "configured": 2, "share": 0.0}
