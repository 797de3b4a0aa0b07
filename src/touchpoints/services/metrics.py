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

import ibis
import ibis.expr.types as ir

from touchpoints.core.metrics import (
    Estimate,
    mean_from_moments,
    nps_from_counts,
    proportion_from_counts,
)
from touchpoints.core.rules import ces_agrees, is_detractor, is_promoter, is_top_box
from touchpoints.model.schema import CXModel, MetricsSettings
from touchpoints.services.query import PERIODS, MetricsQuery
from touchpoints.services.results.metrics import MetricsResult, MetricsRow
from touchpoints.storage.clock import Clock
from touchpoints.storage.contract import Store
from touchpoints.storage.folder import WorkspaceFolder


def is_own(brand: ir.StringValue, model: CXModel) -> ir.BooleanValue:
    """An answer is about us when it names no brand or our ``name``, in any letter case."""
    return brand.isnull() | (brand.lower() == model.name.lower())


def own_brand(responses: ir.Table, model: CXModel) -> ir.Table:
    """Answers about the workspace's own brand: competitor answers from benchmark surveys
    count only where brand is asked for."""
    return responses.filter(is_own(responses.brand, model))


def within(
    table: ir.Table, ts: str, clock: Clock, since: date | None, until: date | None
) -> ir.Table:
    """Rows of ``table`` whose ``ts`` falls on a local date from ``since`` to ``until``."""
    local = clock.local(table[ts]).date()
    filters = ([local >= since] if since else []) + ([local <= until] if until else [])
    return table.filter(*filters) if filters else table


def in_periods(
    table: ir.Table, ts: str, clock: Clock, query: MetricsQuery
) -> tuple[ir.Table, list[str]]:
    """``table`` within the query's dates and, split by period, with a ``period`` column: the
    local date its period starts on (weeks start on Monday). Also the grouping keys to use."""
    rows = within(table, ts, clock, query.since, query.until)
    if not query.period:
        return rows, []
    start = clock.local(rows[ts]).truncate(PERIODS[query.period]).date()
    return rows.mutate(period=start), ["period"]


def selected_responses(
    warehouse: Store, model: CXModel, query: MetricsQuery
) -> tuple[ir.Table, list[str]]:
    """The responses a query asks about, with its dimensions as columns, and the names to
    group by (``by`` and ``period``)."""
    r = warehouse.ibis().table("responses")
    if "brand" in (*query.by, *query.where):
        r = r.mutate(brand=ibis.ifelse(is_own(r.brand, model), model.name, r.brand))
    else:
        r = own_brand(r, model)
    if "stage" in (*query.by, *query.where):
        # The stage of each touchpoint, spelled into the query (no table to register).
        pairs = [(t.id, t.stage) for t in model.touchpoints]
        stage = r.touchpoint.cases(*pairs, else_=None) if pairs else ibis.null("string")
        r = r.mutate(stage=stage)
    if query.relationship:
        r = r.filter(r.channel.isnull(), r.touchpoint.isnull())
    if query.where:
        r = r.filter(*[r[k] == v for k, v in query.where.items()])
    r, keys = in_periods(r, "ts", Clock.covering(warehouse, model.timezone), query)
    return r, [*query.by, *keys]


def group_counts(workspace: WorkspaceFolder, query: MetricsQuery) -> list[dict[str, Any]]:
    """Per group: n, and the counts and sums the estimates need (one engine query)."""
    model = workspace.model
    scales = model.metrics.scales
    with workspace.warehouse() as warehouse:
        r, names = selected_responses(warehouse, model, query)
        groups = {d: r[d] for d in names}
        agree = ces_agrees(r.ces, scales.ces, model.metrics.ces_direction)
        aggregates = {
            "n": r.count(),
            "n_nps": r.nps.count(),
            "promoters": is_promoter(r.nps).sum(),
            "detractors": is_detractor(r.nps).sum(),
            "n_csat": r.csat.count(),
            "csat_top": is_top_box(r.csat, scales.csat).sum(),
            "csat_sum": r.csat.sum(),
            "csat_sumsq": (r.csat * r.csat).sum(),
            "n_ces": r.ces.count(),
            "ces_agree": agree.sum(),
            "ces_sum": r.ces.sum(),
            "ces_sumsq": (r.ces * r.ces).sum(),
        }
        expr = (
            r.aggregate(**aggregates, by=list(groups.values()))
            if groups
            else r.aggregate(**aggregates)
        )
        if groups:
            expr = expr.rename({name: value.get_name() for name, value in groups.items()})
            expr = expr.order_by(list(groups))
        return warehouse.records(expr)


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
        n_csat, *moments(n_csat, group["csat_sum"], group["csat_sumsq"]), metric="csat_mean", **opts
    )
    ces_mean = mean_from_moments(
        n_ces, *moments(n_ces, group["ces_sum"], group["ces_sumsq"]), metric="ces_mean", **opts
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
