"""Cross-channel consistency on the demo: the planted call-center inconsistency is found in
location and in spread, and the groups without a planted effect mostly do not differ."""

from __future__ import annotations

import json
from typing import Any

from touchpoints.services.index import index_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace


def _report(demo: Workspace) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    planted = json.loads((demo.root / "planted.json").read_text(encoding="utf-8"))
    groups: list[dict[str, Any]] = index_report(demo, MetricsQuery(), resamples=0).to_dict()[
        "consistency"
    ]  # type: ignore[call-overload]
    return planted, groups


def _touchpoints(demo: Workspace, group: dict[str, Any]) -> set[str]:
    key = "type" if group["group"] == "type" else "stage"
    return {t.id for t in demo.model.touchpoints if getattr(t, key) == group["id"]}


def test_planted_spread_is_found_at_the_call_center(demo: Workspace) -> None:
    # generate.py: hotline_order_status answers are 0.9 lower, with a latent noise of SD 0.9
    # on top of the usual 0.8 (about twice the variance); both its groups, type order_status
    # and stage use, must show it.
    planted, groups = _report(demo)
    where = next(e for e in planted["effects"] if e["kind"] == "inconsistent_channel")["where"]
    holding = [g for g in groups if where["touchpoint"] in _touchpoints(demo, g)]
    assert {(g["group"], g["id"]) for g in holding} == {("type", "order_status"), ("stage", "use")}
    for group in holding:
        assert group["spread_differs"], group
        assert group["brown_forsythe_p"] < 1e-4
        widest = max(group["channels"], key=lambda c: c["sd"])
        assert widest["channel"] == where["channel"]
        assert widest["sd"] == group["sd_max"]
        lowest = min(group["channels"], key=lambda c: c["mean"])
        assert lowest["channel"] == where["channel"]
        assert group["differ"]
        assert group["range"] > 0.5 > group["practical_difference"] == 0.2


def test_groups_without_a_planted_effect_mostly_do_not_differ(demo: Workspace) -> None:
    # A planted effect of size 0 (the placebo) is no effect. Over 1,500 customers every
    # measured group has hundreds of answers a channel; a test alone flags small gaps there.
    planted, groups = _report(demo)
    moved = {
        e["where"]["touchpoint"]
        for e in planted["effects"]
        if "touchpoint" in e["where"] and e.get("size")
    }
    quiet = [g for g in groups if g["score"] is not None and not moved & _touchpoints(demo, g)]
    assert len(quiet) >= 4
    assert sum(bool(g["differ"]) for g in quiet) <= len(quiet) // 2
    for group in groups:
        if group["score"] is not None and group["differ"]:
            assert group["q"] < 0.05
            assert group["range"] > group["practical_difference"]
