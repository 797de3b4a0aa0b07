"""Which movements are real: period over period, and each segment against the rest.

Every comparison of NPS, CSAT (top-box %), CSAT mean and CES agree gets its test (z on the NPS
difference, two-proportion z, Welch's t); the p-values of all comparisons made in one call
are adjusted together by Benjamini–Hochberg, and a change is significant when its q-value is
below 1 − confidence. Counts come from the same engine query as `touchpoints metrics`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from touchpoints.core.metrics import (
    Comparison,
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)
from touchpoints.errors import ParameterError
from touchpoints.model.schema import MetricsSettings
from touchpoints.services.metrics import as_int, as_key, group_counts, moments, period_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.changes import Change, ChangesResult, Tested
from touchpoints.storage.folder import WorkspaceFolder

Group = dict[str, Any]
_SUMMED = (
    "n",
    "n_nps",
    "promoters",
    "detractors",
    "n_csat",
    "csat_top",
    "csat_sum",
    "csat_sumsq",
    "n_ces",
    "ces_agree",
    "ces_sum",
    "ces_sumsq",
)


def tested(c: Comparison, q: float, alpha: float) -> Tested:
    """A comparison's difference, interval and test, with its q-value."""
    return Tested(c.difference, c.low, c.high, c.p, float(q), bool(q < alpha))


def group_comparisons(a: Group, b: Group, settings: MetricsSettings) -> Iterator[Comparison]:
    """Each metric both groups have answers to compare (a after, b before), at the
    workspace's confidence."""
    confidence = settings.confidence
    if as_int(a["n_nps"]) and as_int(b["n_nps"]):
        counts = [
            (
                as_int(g["promoters"]),
                as_int(g["n_nps"]) - as_int(g["promoters"]) - as_int(g["detractors"]),
                as_int(g["detractors"]),
            )
            for g in (a, b)
        ]
        yield compare_nps(counts[0], counts[1], confidence=confidence, min_n=settings.min_n)
    if as_int(a["n_csat"]) and as_int(b["n_csat"]):
        yield compare_proportions(
            as_int(a["csat_top"]),
            as_int(a["n_csat"]),
            as_int(b["csat_top"]),
            as_int(b["n_csat"]),
            metric="csat",
            confidence=confidence,
        )
    if as_int(a["n_csat"]) > 1 and as_int(b["n_csat"]) > 1:
        sides = [
            (as_int(g["n_csat"]), *moments(as_int(g["n_csat"]), g["csat_sum"], g["csat_sumsq"]))
            for g in (a, b)
        ]
        yield compare_means(sides[0], sides[1], metric="csat_mean", confidence=confidence)
    if as_int(a["n_ces"]) and as_int(b["n_ces"]):
        yield compare_proportions(
            as_int(a["ces_agree"]),
            as_int(a["n_ces"]),
            as_int(b["ces_agree"]),
            as_int(b["n_ces"]),
            metric="ces_agree",
            confidence=confidence,
        )


def _rest(groups: list[Group], keep: Group) -> Group:
    """Every group but ``keep``, summed."""
    rest: Group = dict.fromkeys(_SUMMED, 0)
    for group in groups:
        if group is not keep:
            for name in _SUMMED:
                value = group[name]
                rest[name] += 0 if value is None or value != value else float(value)
    return rest


def changes_report(
    workspace: WorkspaceFolder, query: MetricsQuery, *, all_changes: bool = False
) -> ChangesResult:
    """``{scope, metric, before, after, difference, low, high, p, q, significant}`` rows.

    With a period: each period against the one before it, within each group of ``by``.
    Without: each group of ``by`` against all the others together.
    """
    if not query.period and not query.by:
        raise ParameterError(
            "period",
            "say what to compare: {period} (period over period) "
            "or {by} (each group against the rest)",
        )
    query.check()
    groups = group_counts(workspace, query)
    pairs: list[tuple[dict[str, Any], Group, Group]] = []
    if query.period:
        series: dict[tuple[Any, ...], list[Group]] = defaultdict(list)
        for group in groups:
            series[tuple(as_key(group[d]) for d in query.by)].append(group)
        for key, runs in series.items():
            runs.sort(key=lambda g: g["period"])
            for before, after in pairwise(runs):
                scope = dict(zip(query.by, key, strict=True))
                scope["period"] = period_key(after["period"])
                scope["compared_with"] = period_key(before["period"])
                pairs.append((scope, after, before))
    else:
        for group in groups:
            scope = {d: as_key(group[d]) for d in query.by} | {"compared_with": "rest"}
            pairs.append((scope, group, _rest(groups, group)))
    settings = workspace.model.metrics
    found = [
        (scope, c)
        for scope, after, before in pairs
        for c in group_comparisons(after, before, settings)
    ]
    q_values = benjamini_hochberg([c.p for _, c in found])
    alpha = 1 - workspace.model.metrics.confidence
    rows = [
        Change(scope=scope, metric=c.metric, before=c.b, after=c.a, test=tested(c, q, alpha))
        for (scope, c), q in zip(found, q_values, strict=True)
    ]
    return ChangesResult(tuple(r for r in rows if all_changes or r.test.significant))
