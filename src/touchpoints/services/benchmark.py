"""``touchpoints benchmark``: our figures beside competitors' and beside outside references.

Competitors come from benchmark surveys: answers whose ``brand`` is not the workspace's own
``name`` (an answer without brand is ours). Like is compared with like: only relationship and
benchmark answers count (those with neither channel nor touchpoint), since transactional
surveys about one touchpoint are never asked of a competitor's customers. Within each group
of ``--by`` (and period), every competitor is compared with us on NPS, CSAT %, CSAT mean
and CES agree, with the same tests as ``touchpoints changes``. References are published
figures (an industry NPS), stated under ``references:`` in ``touchpoints.yaml`` or read from a
file; our figure is tested against each as a fixed value. All p-values of one call are
adjusted together by Benjamini–Hochberg.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from touchpoints.core.metrics import Comparison, benjamini_hochberg
from touchpoints.core.metrics.reference import mean_against, nps_against, proportion_against
from touchpoints.errors import ParameterError, UserInputError
from touchpoints.model.schema import CXModel, MetricsSettings, Reference
from touchpoints.services.changes import group_comparisons, tested
from touchpoints.services.grouped import (
    by_customer_sql,
    cluster_sums,
    group_sums_sql,
    linked,
    pairs_sql,
)
from touchpoints.services.metrics import as_int, as_key, metrics_row, moments, period_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.benchmark import BenchmarkResult, Gap, ReferenceGap
from touchpoints.services.selection import responses_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder

Group = dict[str, Any]


def _check_scales(model: CXModel, references: list[Reference]) -> None:
    scales = {"csat_mean": model.metrics.scales.csat, "ces_mean": model.metrics.scales.ces}
    for r in references:
        if r.metric in scales:
            low, high = scales[r.metric]
            if not low <= r.value <= high:
                raise UserInputError(
                    f"reference '{r.name}': {r.metric} {r.value} is outside the scale {low}–{high}"
                )


ANSWERS = {"nps": "n_nps", "csat": "n_csat", "csat_mean": "n_csat", "ces_mean": "n_ces"}


def _thin(metric: str, min_n: int, *groups: Group) -> bool:
    """Whether a side answered ``metric`` fewer than ``min_n`` times."""
    return any(as_int(g[ANSWERS.get(metric, "n_ces")]) < min_n for g in groups)


def _against(group: Group, reference: Reference, settings: MetricsSettings) -> Comparison | None:
    """Our figure in ``group`` against the reference; ``None`` without answers to compare."""
    metric, value = reference.metric, reference.value
    confidence = settings.confidence
    if metric == "nps":
        n, promoters, detractors = (
            as_int(group["n_nps"]),
            as_int(group["promoters"]),
            as_int(group["detractors"]),
        )
        if not n:
            return None
        counts = (promoters, n - promoters - detractors, detractors)
        return nps_against(
            counts,
            value,
            confidence=confidence,
            min_n=settings.min_n,
            clustered=cluster_sums(group, "nps"),
        )
    if metric in ("csat", "ces_agree"):
        hits, n = (
            (as_int(group["csat_top"]), as_int(group["n_csat"]))
            if metric == "csat"
            else (as_int(group["ces_agree"]), as_int(group["n_ces"]))
        )
        return (
            proportion_against(
                hits,
                n,
                value,
                metric=metric,
                confidence=confidence,
                clustered=cluster_sums(group, metric),
            )
            if n
            else None
        )
    answers = "csat" if metric == "csat_mean" else "ces"
    n = as_int(group[f"n_{answers}"])
    if n < 2:
        return None
    average, sd = moments(n, group[f"{answers}_sum"], group[f"{answers}_sumsq"])
    return mean_against(
        n,
        average,
        sd,
        value,
        metric=metric,
        confidence=confidence,
        clustered=cluster_sums(group, metric),
    )


def _brand_sums(
    workspace: WorkspaceFolder, query: MetricsQuery, keys: list[str]
) -> tuple[list[Group], dict[tuple[Any, ...], Group]]:
    """Per brand (and scope): the clustered sums; and per pair of brands in one scope, the
    sums over the customers who rated both (one respondent rates us and a rival in the same
    survey, so the two sides are not independent)."""
    model = workspace.model
    with workspace.warehouse() as warehouse:
        rows, names = responses_sql(model, query, Clock.covering(warehouse, model.timezone))
        link = linked(warehouse)
        per_customer = by_customer_sql(model, rows, names, link=link)
        groups = warehouse.records(group_sums_sql(per_customer, names))
        pairs = warehouse.records(pairs_sql(per_customer, names, same=keys))
    crosses = {(r["brand"], r["other_brand"], *(as_key(r[k]) for k in keys)): r for r in pairs}
    return groups, crosses


def benchmark_report(
    workspace: WorkspaceFolder, query: MetricsQuery, references: list[Reference] | None = None
) -> BenchmarkResult:
    """``{brands, gaps, references}``: figures per brand, our gap to each competitor, and our
    figures against each reference, every test with its q-value."""
    if "brand" in (*query.by, *query.where):
        raise ParameterError(
            "by", "benchmark groups by brand itself: leave brand out of {by} and {where}"
        )
    model = workspace.model
    settings = model.metrics
    chosen = [*model.references, *(references or [])]
    _check_scales(model, chosen)
    by_brand = MetricsQuery(
        by=(*query.by, "brand"),
        period=query.period,
        since=query.since,
        until=query.until,
        where=query.where,
        survey="relationship",
    )
    by_brand.check()
    keys = [*query.by, *(["period"] if query.period else [])]
    groups, crosses = _brand_sums(workspace, by_brand, keys)
    buckets: dict[tuple[Any, ...], list[Group]] = defaultdict(list)
    for group in groups:
        buckets[tuple(as_key(group[k]) for k in keys)].append(group)

    found: list[tuple[dict[str, Any], Comparison, bool]] = []
    unanswered: list[dict[str, Any]] = []
    for key, members in buckets.items() or [((), [])]:
        scope = dict(zip(keys, key, strict=True))
        if "period" in scope:
            scope["period"] = period_key(scope["period"])
        ours = next((g for g in members if g["brand"] == model.name), None)
        if ours is None:  # only competitors answered here: nothing of ours to set beside them
            unanswered += [scope | {"reference": r.name, "metric": r.metric} for r in chosen]
            continue
        for other in members:
            if other is not ours:
                entry = scope | {"brand": other["brand"]}
                cross = crosses.get((ours["brand"], other["brand"], *key))
                found += [
                    (entry, c, _thin(c.metric, settings.min_n, ours, other))
                    for c in group_comparisons(ours, other, settings, cross)
                ]
        for reference in chosen:
            comparison = _against(ours, reference, settings)
            if comparison is None:
                unanswered.append(scope | {"reference": reference.name, "metric": reference.metric})
            else:
                entry = scope | {"reference": reference}
                found.append((entry, comparison, _thin(reference.metric, settings.min_n, ours)))

    q_values = benjamini_hochberg([c.p for _, c, _ in found])
    alpha = 1 - settings.confidence
    gaps, against = [], []
    for (entry, c, thin), q in zip(found, q_values, strict=True):
        test = tested(c, q, alpha)
        scope = {k: v for k, v in entry.items() if k in keys}
        if "brand" in entry:
            gaps.append(
                Gap(
                    scope=scope,
                    brand=entry["brand"],
                    metric=c.metric,
                    own=c.a,
                    test=test,
                    insufficient=thin,
                    competitor=c.b,
                )
            )
        else:
            r: Reference = entry["reference"]
            against.append(
                ReferenceGap(
                    scope=scope,
                    reference=r.name,
                    metric=c.metric,
                    own=c.a,
                    test=test,
                    insufficient=thin,
                    value=r.value,
                    sector=r.sector,
                    source=r.source,
                    year=r.year,
                )
            )
    brands = [metrics_row(g, by_brand, settings) for g in groups]
    return BenchmarkResult(
        keys=tuple(query.keys),
        own=model.name,
        basis="relationship and benchmark answers (neither channel nor touchpoint)",
        brands=tuple(brands),
        gaps=tuple(gaps),
        references=tuple(against),
        unanswered=tuple(unanswered),
    )
