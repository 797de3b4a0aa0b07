"""`touchpoints index` resamples customers (METRICS.md, *Inference*): on the demo, the engine's
per-customer sums against ones made from the raw answers, and the interval that widens."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from conftest import query
from touchpoints.core.index import mtsi
from touchpoints.services import index as index_service
from touchpoints.services.index import index_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.selection import own_responses_sql
from touchpoints.services.workspace import Workspace


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The calls ``index_report`` makes to the core, recorded."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return mtsi(*args, **kwargs)

    monkeypatch.setattr(index_service, "mtsi", spy)
    return calls


def test_the_engine_sends_each_customers_sums(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The customer is the linked one, else the pseudonym, else the response alone; numbered
    by rank of that key. Built here from the raw answers, it must be what the engine sent."""
    calls = _spied(monkeypatch)
    report: dict[str, Any] = index_report(demo, MetricsQuery(), resamples=200).to_dict()  # type: ignore[assignment]
    assert report["method"] == "bootstrap-customers (percentile), 200 resamples, seed 0"
    ids = ", ".join(f"'{t.id}'" for t in demo.model.touchpoints)
    rows = query(
        demo,
        "SELECT COALESCE(i.customer_key, r.customer, 'response|' || r.response_id), "
        f"r.touchpoint, r.csat FROM ({own_responses_sql(demo.model)}) r "
        "LEFT JOIN identities i ON i.pseudonym = r.customer "
        f"WHERE r.csat IS NOT NULL AND r.touchpoint IN ({ids})",
    )
    answers = pd.DataFrame(rows, columns=["key", "touchpoint", "rating"])
    sums = answers.groupby(["key", "touchpoint"])["rating"].agg(n="size", sum="sum")
    expected = sums.reset_index()
    expected["customer"] = expected["key"].rank(method="dense").astype(int) - 1
    columns = ["customer", "touchpoint", "n", "sum"]
    sent = calls[0][1]["customers"][columns].sort_values(columns[:2], ignore_index=True)
    expected = expected[columns].sort_values(columns[:2], ignore_index=True)
    pd.testing.assert_frame_equal(sent, expected, check_dtype=False)
    assert answers["key"].nunique() < len(answers)  # customers do answer twice here


def test_the_demo_interval_widens_and_the_scores_stay(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Customers answer several surveys, so resampling them widens the interval over
    resampling answers (the design effect); the scores are those of the counts."""
    calls = _spied(monkeypatch)
    report: dict[str, Any] = index_report(demo, MetricsQuery(), resamples=500).to_dict()  # type: ignore[assignment]
    args, kwargs = calls[0]
    answers = mtsi(*args, **(kwargs | {"customers": None}))
    assert answers.method == "bootstrap-responses (percentile), 500 resamples, seed 0"
    nodes = [report["overall"], *report["channels"], *report["stages"], *report["touchpoints"]]
    same = [answers.overall, *answers.channels, *answers.stages, *answers.touchpoints]
    assert [n["score"] for n in nodes] == [n.score for n in same]
    assert [n["n"] for n in nodes] == [n.n for n in same]
    width = report["overall"]["high"] - report["overall"]["low"]
    assert width > 1.1 * (answers.overall.high - answers.overall.low)  # type: ignore[operator]


def test_each_period_resamples_its_own_customers(demo: Workspace) -> None:
    """Split by quarter: each period gets the customers of its answers (the core checks that
    they hold the answers of its counts)."""
    result = index_report(demo, MetricsQuery(period="quarter"), resamples=50).to_dict()
    measured = [r for r in result if r["overall"]["score"] is not None]  # type: ignore[index]
    assert measured
    for period in measured:
        assert period["method"] == "bootstrap-customers (percentile), 50 resamples, seed 0"  # type: ignore[index]
        assert period["overall"]["low"] <= period["overall"]["score"] <= period["overall"]["high"]  # type: ignore[index]
