"""Which movements are real: period over period, each group against the rest, or every pair.

Every comparison of NPS, CSAT (top-box %), the CSAT and CES means and CES agree gets its test
(z on the NPS difference, z on a difference of shares, Welch's t), with customer-clustered
variances: a customer's answers count together, and two sides that share customers (a period
and the one before, a group and the rest) keep their covariance (METRICS.md, *Inference*).

- "The rest" holds only answers with a known value of every dimension compared: an answer
  with no region is not evidence about the other regions. The answers without a value are a
  group of their own, compared with all the known ones (a check on the data as much as on
  the customers).
- Comparing groups, each metric also gets an omnibus test across all the known groups
  (chi-square on counts, Kruskal–Wallis on ratings), corrected for clustering by the groups'
  mean design effect (Rao & Scott 1981, first-order): whether the groups differ at all,
  before asking which one does.
- The p-values of every comparison of one call form one Benjamini–Hochberg family; a change
  is significant when its q-value is below 1 − confidence. The omnibus tests ask another
  question (do the groups differ at all?) and form a family of their own: mixed in, their
  near-zero p-values would loosen the bar for every comparison, since Benjamini–Hochberg
  rejects more the more small p-values a family holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from touchpoints.core.metrics import (
    Comparison,
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)
from touchpoints.core.metrics.clustered import ClusterSums
from touchpoints.core.metrics.compare import omnibus_chi2, omnibus_kruskal
from touchpoints.errors import ParameterError
from touchpoints.model.schema import MetricsSettings
from touchpoints.services.grouped import (
    by_customer_sql,
    cluster_sums,
    cross_sums,
    group_sums_sql,
    linked,
    pairs_sql,
    rest_sql,
    the_rest,
)
from touchpoints.services.metrics import as_int, as_key, moments, period_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.changes import Change, ChangesResult, Omnibus, Tested
from touchpoints.services.selection import responses_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import ident

Group = dict[str, Any]
Key = tuple[Any, ...]
# The answers each metric counts, for n and for "insufficient".
ANSWERS = {
    "nps": "n_nps",
    "csat": "n_csat",
    "csat_mean": "n_csat",
    "ces_mean": "n_ces",
    "ces_agree": "n_ces",
}


def tested(c: Comparison, q: float, alpha: float) -> Tested:
    """A comparison's difference, interval and test, with its q-value."""
    return Tested(
        c.difference, c.low, c.high, c.p, float(q), bool(q < alpha), c.method, c.design_effect
    )


def _clustered(
    a: Group, b: Group, figure: str, cross: Group | None
) -> tuple[ClusterSums, ClusterSums, Any]:
    first, second = cluster_sums(a, figure), cluster_sums(b, figure)
    return first, second, cross_sums(cross, figure, first, second)


def group_comparisons(
    a: Group, b: Group, settings: MetricsSettings, cross: Group | None = None
) -> Iterator[Comparison]:
    """Each metric both groups have answers to compare (a after, b before), at the
    workspace's confidence, with clustered variances; ``cross`` holds the sums over the
    customers the two share (``None``: they share none)."""
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
        yield compare_nps(
            counts[0],
            counts[1],
            confidence=confidence,
            min_n=settings.min_n,
            clustered=_clustered(a, b, "nps", cross),
        )
    for figure, hits, count in (
        ("csat", "csat_top", "n_csat"),
        ("ces_agree", "ces_agree", "n_ces"),
    ):
        if as_int(a[count]) and as_int(b[count]):
            yield compare_proportions(
                as_int(a[hits]),
                as_int(a[count]),
                as_int(b[hits]),
                as_int(b[count]),
                metric=figure,
                confidence=confidence,
                clustered=_clustered(a, b, figure, cross),
            )
    for figure, answers in (("csat_mean", "csat"), ("ces_mean", "ces")):
        count = f"n_{answers}"
        if as_int(a[count]) > 1 and as_int(b[count]) > 1:
            sides = [
                (
                    as_int(g[count]),
                    *moments(as_int(g[count]), g[f"{answers}_sum"], g[f"{answers}_sumsq"]),
                )
                for g in (a, b)
            ]
            yield compare_means(
                sides[0],
                sides[1],
                metric=figure,
                confidence=confidence,
                clustered=_clustered(a, b, figure, cross),
            )


def _key(group: Group, keys: Sequence[str], prefix: str = "") -> Key:
    return tuple(as_key(group[prefix + k]) for k in keys)


def _scope(group: Group, by: Sequence[str]) -> dict[str, Any]:
    return {d: as_key(group[d]) for d in by}


def _period_pairs(
    groups: list[Group], crosses: dict[tuple[Key, Key], Group], query: MetricsQuery
) -> list[tuple[dict[str, Any], Group, Group, Group | None]]:
    """Each period against the one before it, within each group of ``by``."""
    keys = [*query.by, "period"]
    series: dict[Key, list[Group]] = defaultdict(list)
    for group in groups:
        series[_key(group, query.by)].append(group)
    pairs = []
    for runs in series.values():
        runs.sort(key=lambda g: g["period"])
        for before, after in pairwise(runs):
            scope = _scope(after, query.by) | {
                "period": period_key(after["period"]),
                "compared_with": period_key(before["period"]),
            }
            cross = crosses.get((_key(after, keys), _key(before, keys)))
            pairs.append((scope, after, before, cross))
    return pairs


def _known(groups: list[Group], by: Sequence[str]) -> list[Group]:
    """The groups with a value for every dimension of ``by``."""
    return [g for g in groups if all(as_key(g[d]) is not None for d in by)]


def changes_report(
    workspace: WorkspaceFolder,
    query: MetricsQuery,
    *,
    all_changes: bool = False,
    pairwise_groups: bool = False,
) -> ChangesResult:
    """``{scope, metric, before, after, difference, low, high, p, q, significant}`` rows,
    each with ``n_before``, ``n_after`` and ``insufficient``.

    With a period: each period against the one before it, within each group of ``by``.
    Without: each group of ``by`` against all the other known groups together (``n_group``,
    ``n_rest``), or with ``pairwise_groups`` each pair of groups; then also an omnibus test
    per metric across the groups.
    """
    if not query.period and not query.by:
        raise ParameterError(
            "period",
            "say what to compare: {period} (period over period) "
            "or {by} (each group against the rest)",
        )
    if pairwise_groups and (query.period or not query.by):
        raise ParameterError("pairwise", "compares the groups of {by}, without a {period}")
    query.check()
    model = workspace.model
    settings = model.metrics
    keys = query.keys
    with workspace.warehouse() as warehouse:
        rows, _ = responses_sql(model, query, Clock.covering(warehouse, model.timezone))
        link = linked(warehouse)
        known_rows = rows
        if not query.period:  # groups are compared with the groups that have a value
            known = " AND ".join(f"{ident(d)} IS NOT NULL" for d in query.by)
            known_rows = f"SELECT * FROM ({rows}) AS answered WHERE {known}"
        per_customer = by_customer_sql(model, rows, keys, link=link)
        groups = warehouse.records(group_sums_sql(per_customer, keys))
        if query.period or pairwise_groups:
            step = bool(query.period)
            source = per_customer if step else by_customer_sql(model, known_rows, keys, link=link)
            found = warehouse.records(
                pairs_sql(source, keys, same=query.by if step else (), step=step)
            )
            crosses = {(_key(r, keys), _key(r, keys, "other_")): r for r in found}
        else:
            known_customers = by_customer_sql(model, known_rows, [], link=link)
            (total,) = warehouse.records(group_sums_sql(known_customers, []))
            lost = {_key(r, keys): r for r in warehouse.records(rest_sql(per_customer, keys))}
        ratings = {} if query.period else _ratings(warehouse, known_rows, keys)
    known_groups = _known(groups, query.by)
    pairs: list[tuple[dict[str, Any], Group, Group, Group | None]]
    if query.period:
        pairs = _period_pairs(groups, crosses, query)
    elif pairwise_groups:
        pairs = [
            (
                _scope(a, query.by) | {"compared_with": _scope(b, query.by)},
                a,
                b,
                crosses.get((_key(a, keys), _key(b, keys))),
            )
            for i, a in enumerate(known_groups)
            for b in known_groups[i + 1 :]
        ]
    else:
        # Of two groups, each is the other's rest: one comparison, the second against the
        # first (B against A), not the same test twice in the family.
        mirror = known_groups[0] if len(known_groups) == 2 else None
        pairs = [
            (
                _scope(g, query.by) | {"compared_with": "rest"},
                g,
                the_rest(total, g, lost[_key(g, keys)], known=bool(_known([g], query.by))),
                lost[_key(g, keys)],
            )
            for g in groups
            if g is not mirror
        ]
    found_changes = [
        (scope, after, before, c)
        for scope, after, before, cross in pairs
        for c in group_comparisons(after, before, settings, cross)
    ]
    omnibus = [] if query.period else list(_omnibus(known_groups, ratings, settings, query.by))
    q_values = benjamini_hochberg([c.p for *_, c in found_changes])
    alpha = 1 - settings.confidence
    rest = not query.period and not pairwise_groups
    changes = []
    for (scope, after, before, c), q in zip(found_changes, q_values, strict=True):
        n_after, n_before = (as_int(g[ANSWERS[c.metric]]) for g in (after, before))
        changes.append(
            Change(
                scope=scope,
                metric=c.metric,
                before=c.b,
                after=c.a,
                test=tested(c, q, alpha),
                n_before=n_before,
                n_after=n_after,
                insufficient=min(n_before, n_after) < settings.min_n,
                kind="period" if query.period else "pair" if pairwise_groups else "rest",
                n_group=n_after if rest else None,
                n_rest=n_before if rest else None,
            )
        )
    tests = [
        Omnibus(**o, q=float(q), significant=bool(q < alpha))
        for o, q in zip(omnibus, benjamini_hochberg([o["p"] for o in omnibus]), strict=True)
    ]
    return ChangesResult(
        tuple(c for c in changes if all_changes or c.test.significant), tuple(tests)
    )


def _ratings(warehouse: Any, rows: str, keys: Sequence[str]) -> dict[str, list[Group]]:
    """Answers per group and rating, of CSAT and of CES, for the rank tests."""
    names = ", ".join(ident(k) for k in keys)
    return {
        answers: warehouse.records(
            f"SELECT {names}, {answers} AS rating, count(*) AS count FROM ({rows}) AS chosen "
            f"WHERE {answers} IS NOT NULL GROUP BY ALL"
        )
        for answers in ("csat", "ces")
    }


def _effects(groups: list[Group], figure: str) -> list[float | None]:
    return [cluster_sums(g, figure).design_effect for g in groups]


def _omnibus(
    groups: list[Group],
    ratings: dict[str, list[Group]],
    settings: MetricsSettings,
    by: Sequence[str],
) -> Iterator[dict[str, Any]]:
    """Per metric, whether the known groups differ at all: chi-square on the counts of each
    answer kind (promoters, passives, detractors; in or out of the top box), Kruskal–Wallis
    on the ratings, each divided by the groups' mean design effect."""
    scope = dict.fromkeys(by) | {"compared_with": "omnibus", "dimensions": list(by)}
    tables = {
        "nps": [
            (
                as_int(g["promoters"]),
                as_int(g["n_nps"]) - as_int(g["promoters"]) - as_int(g["detractors"]),
                as_int(g["detractors"]),
            )
            for g in groups
        ],
        "csat": [
            (as_int(g["csat_top"]), as_int(g["n_csat"]) - as_int(g["csat_top"])) for g in groups
        ],
        "ces_agree": [
            (as_int(g["ces_agree"]), as_int(g["n_ces"]) - as_int(g["ces_agree"])) for g in groups
        ],
    }
    for figure, table in tables.items():
        result = omnibus_chi2(np.array(table, dtype=float), _effects(groups, figure))
        if result is not None:
            yield {"scope": scope, "metric": figure, **result, "groups": len(groups)}
    for figure, answers in (("csat_mean", "csat"), ("ces_mean", "ces")):
        index = {_key(g, by): i for i, g in enumerate(groups)}
        values = sorted({float(r["rating"]) for r in ratings[answers]})
        counts = np.zeros((len(groups), len(values)))
        for r in ratings[answers]:
            if _key(r, by) in index:
                counts[index[_key(r, by)], values.index(float(r["rating"]))] += int(r["count"])
        result = omnibus_kruskal(counts, np.array(values), _effects(groups, figure))
        if result is not None:
            yield {"scope": scope, "metric": figure, **result, "groups": len(groups)}
