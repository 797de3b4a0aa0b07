"""The demo's planted effects, read from planted.json, found with honest inference
(issue 16): customer-clustered tests, "the rest" of known values only, the A/B test within
the dates both variants ran. The default demo (5,000 customers, seed 42) is the one the
README builds and the acceptance figures were measured on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import query
from touchpoints.demo import build_demo
from touchpoints.services.changes import changes_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("default") / "ws"
    build_demo(root)
    return Workspace.open(root)


def planted(workspace: Workspace, kind: str) -> dict[str, Any]:
    effects = json.loads((workspace.root / "planted.json").read_text(encoding="utf-8"))
    found: dict[str, Any] = next(e for e in effects["effects"] if e["kind"] == kind)
    return found


def flags(workspace: Workspace) -> dict[tuple[str | None, str], bool]:
    rows = changes_report(workspace, MetricsQuery(by=("region",)), all_changes=True).to_dict()
    return {
        (r["scope"]["region"], r["metric"]): r["significant"] for r in rows if r["kind"] == "rest"
    }


def test_only_the_planted_region_stands_out(default_demo: Workspace) -> None:
    """Answers treated as independent flagged 华北 NPS (q 0.008), 华北 CSAT (0.005) and
    华南 NPS (0.032) against the rest; customer-clustered, with the rest of known regions
    only, they are noise (q 0.076, 0.057, 0.123), and the planted region still stands out."""
    region = planted(default_demo, "region_effect")["where"]["region"]
    found = flags(default_demo)
    assert not found[("华北", "nps")]
    assert not found[("华北", "csat")]
    assert not found[("华南", "nps")]
    assert all(found[(region, metric)] for metric in ("nps", "csat", "csat_mean", "ces_agree"))


def test_the_improvement_still_shows_and_the_placebo_does_not(default_demo: Workspace) -> None:
    improvement = planted(default_demo, "improvement")
    rows = changes_report(
        default_demo,
        MetricsQuery(period="quarter", where={"touchpoint": improvement["where"]["touchpoint"]}),
    ).to_dict()
    rises = [r for r in rows if r["metric"] == "csat_mean" and r["difference"] > 0]
    assert [r["scope"]["period"] for r in rises] == [improvement["when"]["from"]]
    placebo = planted(default_demo, "placebo")
    rows = changes_report(
        default_demo,
        MetricsQuery(period="month", where={"touchpoint": placebo["where"]["touchpoint"]}),
    ).to_dict()
    assert rows == []


def test_the_emerging_payment_problem_shows_in_its_month(default_demo: Workspace) -> None:
    emerging = planted(default_demo, "emerging_theme")
    rows = changes_report(
        default_demo,
        MetricsQuery(period="month", where={"touchpoint": emerging["where"]["touchpoint"]}),
    ).to_dict()
    drops = [r for r in rows if r["metric"] == "csat_mean" and r["difference"] < 0]
    assert [r["scope"]["period"] for r in drops] == [emerging["when"]["from"]]


def test_the_ab_test_is_b_against_a_within_its_dates(default_demo: Workspace) -> None:
    """Within the dates both ran, "the rest" of variant B is variant A alone (answers with no
    variant are not in it), and the one comparison per metric is B − A."""
    ab = planted(default_demo, "ab_test")
    recipe = ab["evaluate"]
    rows = changes_report(
        default_demo,
        MetricsQuery.parse(
            recipe["by"], where=recipe["where"], since=recipe["since"], until=recipe["until"]
        ),
        all_changes=True,
    ).to_dict()
    compared = [r for r in rows if r["kind"] == "rest"]
    assert {r["scope"]["variant"] for r in compared} == {"B"}
    (mean,) = [r for r in compared if r["metric"] == "csat_mean"]
    ((a_answers,),) = query(
        default_demo,
        "SELECT count(csat) FROM responses WHERE variant = 'A' AND touchpoint = "
        f"'{recipe['where']['touchpoint']}' AND ts >= TIMESTAMPTZ '{recipe['since']} 00:00:00+08' "
        f"AND ts < TIMESTAMPTZ '{recipe['until']} 00:00:00+08' + INTERVAL 1 DAY",
    )
    assert mean["n_rest"] == a_answers
    assert mean["difference"] > 0  # the planted direction; see the effect's note on power


def test_the_call_center_spread_is_found(default_demo: Workspace) -> None:
    effect = planted(default_demo, "inconsistent_channel")
    report = default_demo.index(resamples=0).to_dict()
    spans = [
        g
        for g in report["consistency"]
        if g["channels"]
        and effect["where"]["channel"] in {c["channel"] for c in g["channels"]}
        and g["spread_differs"]
    ]
    assert spans, "no group holding the call center differs in spread"
    for group in spans:
        widest = max(group["channels"], key=lambda c: c["sd"] or 0)
        assert widest["channel"] == effect["where"]["channel"]


def test_the_default_demo_is_the_one_measured(default_demo: Workspace) -> None:
    assert json.loads((default_demo.root / "planted.json").read_text("utf-8"))["seed"] == 42
