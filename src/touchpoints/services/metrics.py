"""Grouped survey metrics: counts in the engine, estimates in the core.

One Ibis expression groups the responses by any of the dimensions and a period and returns
only counts and sums per group (so ten million responses come back as a few hundred rows);
:mod:`touchpoints.core.metrics` turns them into values with intervals. Periods are calendar
periods in the workspace's time zone, named by the ISO date of their first day (weeks start
on Monday).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from touchpoints.core.metrics import (
    Estimate,
    mean_from_moments,
    nps_from_counts,
    proportion_from_counts,
)
from touchpoints.core.rules import ces_agrees, is_detractor, is_promoter, is_top_box
from touchpoints.model.schema import MetricsSettings
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.metrics import MetricsResult, MetricsRow
from touchpoints.services.selection import responses_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import Expr, ident


def group_counts(workspace: WorkspaceFolder, query: MetricsQuery) -> list[dict[str, Any]]:
    """Per group: n, and the counts and sums the estimates need (one engine query).

    SQL text through the storage contract, with no Ibis: this is the whole of
    ``touchpoints metrics``, and Ibis would cost it more time to import than the query takes
    over millions of answers (benchmarks/RESULTS.md, start-up).
    """
    model = workspace.model
    scales = model.metrics.scales
    nps, csat, ces = Expr("nps"), Expr("csat"), Expr("ces")
    aggregates = {
        "n": "count(*)",
        "n_nps": "count(nps)",
        "promoters": f"count_if({is_promoter(nps).sql})",
        "detractors": f"count_if({is_detractor(nps).sql})",
        "n_csat": "count(csat)",
        "csat_top": f"count_if({is_top_box(csat, scales.csat).sql})",
        "csat_sum": "sum(csat)",
        "csat_sumsq": "sum(csat * csat)",
        "n_ces": "count(ces)",
        "ces_agree": f"count_if({ces_agrees(ces, scales.ces, model.metrics.ces_direction).sql})",
        "ces_sum": "sum(ces)",
        "ces_sumsq": "sum(ces * ces)",
    }
    with workspace.warehouse() as warehouse:
        rows, names = responses_sql(model, query, Clock.covering(warehouse, model.timezone))
        keys = [ident(n) for n in names]
        figures = ", ".join(f"{sql} AS {ident(name)}" for name, sql in aggregates.items())
        sql = f"SELECT {', '.join([*keys, figures])} FROM ({rows}) AS chosen"
        if keys:
            sql += f" GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}"
        return warehouse.records(sql)


def moments(n: int, total: float | None, squares: float | None) -> tuple[float, float]:
    if not n or total is None or squares is None:
        return 0.0, 0.0
    total, squares = float(total), float(squares)  # engines sum integers as decimals
    average = total / n
    variance = (squares - total * total / n) / (n - 1) if n > 1 else 0.0
    return average, math.sqrt(max(variance, 0.0))


def as_key(value: Any) -> Any:
    """A group key as JSON: missing (None, NaN, pandas' NA and NaT) becomes null."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def period_key(value: Any) -> str | None:
    """A period start (a date, datetime or pandas Timestamp) as its ISO date; ``None`` when
    not split by period."""
    key = as_key(value)
    if key is None:
        return None
    if isinstance(key, datetime):  # a pandas Timestamp is a datetime too
        return key.date().isoformat()
    if isinstance(key, date):
        return key.isoformat()
    return date.fromisoformat(str(key)[:10]).isoformat()


def as_int(value: Any) -> int:
    return 0 if value is None or value != value else int(value)


def metrics_report(workspace: WorkspaceFolder, query: MetricsQuery) -> MetricsResult:
    """NPS, CSAT and CES per group: the pinned ``touchpoints metrics`` rows (CONTRACTS.md)."""
    query.check()
    settings = workspace.model.metrics
    rows = [metrics_row(group, query, settings) for group in group_counts(workspace, query)]
    return MetricsResult(tuple(query.keys), tuple(rows))


def metrics_row(
    group: dict[str, Any], query: MetricsQuery, settings: MetricsSettings
) -> MetricsRow:
    """One group's counts as figures with their intervals."""
    opts: dict[str, Any] = {"confidence": settings.confidence, "min_n": settings.min_n}
    keys: dict[str, Any] = {d: as_key(group[d]) for d in query.by}
    if query.period:
        keys["period"] = period_key(group["period"])
    n_nps, n_csat, n_ces = (
        as_int(group["n_nps"]),
        as_int(group["n_csat"]),
        as_int(group["n_ces"]),
    )
    promoters, detractors = as_int(group["promoters"]), as_int(group["detractors"])
    nps = nps_from_counts(promoters, n_nps - promoters - detractors, detractors, **opts)
    csat = proportion_from_counts(as_int(group["csat_top"]), n_csat, metric="csat", **opts)
    csat_mean = mean_from_moments(
        n_csat,
        *moments(n_csat, group["csat_sum"], group["csat_sumsq"]),
        metric="csat_mean",
        scale=settings.scales.csat,
        **opts,
    )
    ces_mean = mean_from_moments(
        n_ces,
        *moments(n_ces, group["ces_sum"], group["ces_sumsq"]),
        metric="ces_mean",
        scale=settings.scales.ces,
        **opts,
    )
    ces_agree = proportion_from_counts(
        as_int(group["ces_agree"]), n_ces, metric="ces_agree", **opts
    )
    figures: dict[str, Estimate] = {
        "nps": nps,
        "csat": csat,
        "csat_mean": csat_mean,
        "ces_mean": ces_mean,
        "ces_agree": ces_agree,
    }
    return MetricsRow(
        group=keys,
        n=as_int(group["n"]),
        n_nps=n_nps,
        n_csat=n_csat,
        n_ces=n_ces,
        nps=nps.value,
        nps_low=nps.low,
        nps_high=nps.high,
        csat=csat.value,
        csat_low=csat.low,
        csat_high=csat.high,
        csat_mean=csat_mean.value,
        csat_mean_low=csat_mean.low,
        csat_mean_high=csat_mean.high,
        ces_mean=ces_mean.value,
        ces_agree=ces_agree.value,
        insufficient=tuple(n for n, e in figures.items() if e.value is not None and e.insufficient),
    )
