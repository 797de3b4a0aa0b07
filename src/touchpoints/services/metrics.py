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
from touchpoints.model.schema import MetricsSettings
from touchpoints.services.grouped import (
    FIGURES,
    by_customer_sql,
    cluster_sums,
    group_sums_sql,
    linked,
)
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.metrics import MetricsResult, MetricsRow
from touchpoints.services.selection import responses_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder


def group_counts(workspace: WorkspaceFolder, query: MetricsQuery) -> list[dict[str, Any]]:
    """Per group: n, its customers, and the counts and clustered sums the estimates need
    (one engine query: sums per customer, then per group; :mod:`.grouped`).

    SQL text through the storage contract, with no Ibis: this is the whole of
    ``touchpoints metrics``, and Ibis would cost it more time to import than the query takes
    over millions of answers (benchmarks/RESULTS.md, start-up).
    """
    model = workspace.model
    with workspace.warehouse() as warehouse:
        rows, keys = responses_sql(model, query, Clock.covering(warehouse, model.timezone))
        link = linked(warehouse)
        return warehouse.records(
            group_sums_sql(by_customer_sql(model, rows, keys, link=link), keys)
        )


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
    return MetricsResult(tuple(query.keys), tuple(rows), query.survey)


def estimates(group: dict[str, Any], settings: MetricsSettings) -> dict[str, Estimate]:
    """One group's figures with their customer-clustered intervals."""
    opts: dict[str, Any] = {"confidence": settings.confidence, "min_n": settings.min_n}
    n_nps, n_csat, n_ces = (as_int(group[c]) for c in ("n_nps", "n_csat", "n_ces"))
    promoters, detractors = as_int(group["promoters"]), as_int(group["detractors"])
    sums = {figure: cluster_sums(group, figure) for figure in FIGURES}
    means = {
        figure: mean_from_moments(
            count,
            *moments(count, group[f"{prefix}_sum"], group[f"{prefix}_sumsq"]),
            metric=figure,
            scale=scale,
            clustered=sums[figure],
            **opts,
        )
        for figure, prefix, count, scale in (
            ("csat_mean", "csat", n_csat, settings.scales.csat),
            ("ces_mean", "ces", n_ces, settings.scales.ces),
        )
    }
    return {
        "nps": nps_from_counts(
            promoters,
            n_nps - promoters - detractors,
            detractors,
            clustered=sums["nps"],
            **opts,
        ),
        "csat": proportion_from_counts(
            as_int(group["csat_top"]), n_csat, metric="csat", clustered=sums["csat"], **opts
        ),
        "csat_mean": means["csat_mean"],
        "ces_mean": means["ces_mean"],
        "ces_agree": proportion_from_counts(
            as_int(group["ces_agree"]),
            n_ces,
            metric="ces_agree",
            clustered=sums["ces_agree"],
            **opts,
        ),
    }


def metrics_row(
    group: dict[str, Any], query: MetricsQuery, settings: MetricsSettings
) -> MetricsRow:
    """One group's counts as figures with their intervals."""
    keys: dict[str, Any] = {d: as_key(group[d]) for d in query.by}
    if query.period:
        keys["period"] = period_key(group["period"])
    figures = estimates(group, settings)
    nps, csat, csat_mean = figures["nps"], figures["csat"], figures["csat_mean"]
    ces_mean, ces_agree = figures["ces_mean"], figures["ces_agree"]
    return MetricsRow(
        group=keys,
        n=as_int(group["n"]),
        customers=as_int(group["customers"]),
        n_nps=nps.n,
        n_csat=csat.n,
        n_ces=ces_mean.n,
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
        ces_mean_low=ces_mean.low,
        ces_mean_high=ces_mean.high,
        ces_agree=ces_agree.value,
        ces_agree_low=ces_agree.low,
        ces_agree_high=ces_agree.high,
        insufficient=tuple(n for n, e in figures.items() if e.value is not None and e.insufficient),
        method={name: e.method for name, e in figures.items()},
        design_effect={name: e.design_effect for name, e in figures.items()},
        clipped=tuple(name for name, e in figures.items() if e.clipped),
        survey=query.survey,
    )
