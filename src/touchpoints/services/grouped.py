"""Sums by customer, then by group, in the engine: what customer-clustered figures need.

The customer is the cluster (METRICS.md, *Inference*): the linked customer where identities
link several pseudonyms, else the answer's own pseudonym, and an answer without a customer is
a cluster of its own. The first grouping sums each figure's answers per (group, customer);
the second sums those per group, with the squares and products the sandwich variance needs
(:mod:`touchpoints.core.metrics.clustered`). Two grouped passes in one statement: ten million
answers stay one engine query, and a few hundred rows come back.

A figure is a count column (its answers) and a sum column (their scores): NPS scores answers
+1/0/−1, top-box and agree shares 0/1, means the ratings themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from touchpoints.core.metrics.clustered import ClusterSums, CrossSums
from touchpoints.core.rules import ces_agrees, is_detractor, is_promoter, is_top_box
from touchpoints.model.schema import CXModel
from touchpoints.storage.contract import Store
from touchpoints.storage.sql import Expr, ident

# figure → (count column, sum column, sum-of-squares column) of the per-customer table
FIGURES = {
    "nps": ("n_nps", "nps_score", "nps_extreme"),
    "csat": ("n_csat", "csat_top", "csat_top"),
    "csat_mean": ("n_csat", "csat_sum", "csat_sumsq"),
    "ces_mean": ("n_ces", "ces_sum", "ces_sumsq"),
    "ces_agree": ("n_ces", "ces_agree", "ces_agree"),
}
COUNTS = ("n_nps", "n_csat", "n_ces")
# The per-customer columns summed again per group (all of answer_sums' but ``n``).
ANSWERS = (
    "n_nps",
    "promoters",
    "detractors",
    "nps_score",
    "nps_extreme",
    "n_csat",
    "csat_top",
    "csat_sum",
    "csat_sumsq",
    "n_ces",
    "ces_agree",
    "ces_sum",
    "ces_sumsq",
)


def answer_sums(model: CXModel) -> dict[str, str]:
    """Per customer: the count and sums of each figure's answers, as SQL aggregates."""
    scales = model.metrics.scales
    nps, csat, ces = Expr("nps"), Expr("csat"), Expr("ces")
    promoter, detractor = is_promoter(nps).sql, is_detractor(nps).sql
    return {
        "n": "count(*)",
        "n_nps": "count(nps)",
        "promoters": f"count_if({promoter})",
        "detractors": f"count_if({detractor})",
        "nps_score": f"count_if({promoter}) - count_if({detractor})",
        "nps_extreme": f"count_if({promoter}) + count_if({detractor})",
        "n_csat": "count(csat)",
        "csat_top": f"count_if({is_top_box(csat, scales.csat).sql})",
        "csat_sum": "sum(csat)",
        "csat_sumsq": "sum(csat * csat)",
        "n_ces": "count(ces)",
        "ces_agree": f"count_if({ces_agrees(ces, scales.ces, model.metrics.ces_direction).sql})",
        "ces_sum": "sum(ces)",
        "ces_sumsq": "sum(ces * ces)",
    }


def linked(store: Store) -> bool:
    """Whether identities link any pseudonym to another customer: only then must every
    answer be joined to them to find its customer (a join that costs a fifth of the query
    over ten million answers)."""
    found = store.records(
        "SELECT count(*) > 0 AS linked FROM identities WHERE customer_key <> pseudonym"
    )
    return bool(found[0]["linked"])


def by_customer_sql(model: CXModel, rows: str, keys: Sequence[str], *, link: bool = True) -> str:
    """The answers of ``rows`` (a query over responses) summed per group and customer;
    ``link``: join the identities to find the linked customer (see :func:`linked`).

    The sums are doubles: summed again per group as integers, the engine would carry them as
    128-bit integers, and doubles are exact for counts and rating sums below 2⁵³."""
    customer = (
        "COALESCE(identity.customer_key, answer.customer" if link else "COALESCE(answer.customer"
    )
    cluster = f"{customer}, 'response|' || answer.response_id)"
    keyed = f"SELECT answer.*, {cluster} AS _customer FROM ({rows}) AS answer"
    if link:
        keyed += " LEFT JOIN identities AS identity ON identity.pseudonym = answer.customer"
    names = [ident(k) for k in keys]
    sums = ", ".join(
        f"CAST({sql} AS DOUBLE) AS {ident(name)}" for name, sql in answer_sums(model).items()
    )
    return (
        f"SELECT {''.join(n + ', ' for n in names)}_customer, {sums} FROM ({keyed}) AS keyed "
        f"GROUP BY {''.join(n + ', ' for n in names)}_customer"
    )


def group_sums_sql(by_customer: str, keys: Sequence[str]) -> str:
    """Per group: the answers' counts and sums, the customers, and for each figure the
    clustered sums Σ s_c², Σ s_c n_c, Σ n_c² and its customers with answers."""
    columns = [
        "sum(n) AS n",
        "count(*) AS customers",
        *(f"sum({c}) AS {c}" for c in ANSWERS),
    ]
    for count in COUNTS:
        columns += [
            f"sum({count} * {count}) AS {count}_nn",
            f"count_if({count} > 0) AS {count}_clusters",
        ]
    for figure, (count, total, _) in FIGURES.items():
        columns += [
            f"sum({total} * {total}) AS {figure}_ss",
            f"sum({total} * {count}) AS {figure}_sn",
        ]
    names = [ident(k) for k in keys]
    sql = f"SELECT {', '.join([*names, *columns])} FROM ({by_customer}) AS per_customer"
    if names:
        sql += f" GROUP BY {', '.join(names)} ORDER BY {', '.join(names)}"
    return sql


def number(value: Any) -> float:
    """An engine aggregate as a float: a sum over no rows (NULL) or NaN is 0; engines sum
    integers as decimals."""
    return 0.0 if value is None or value != value else float(value)


def cluster_sums(group: dict[str, Any], figure: str) -> ClusterSums:
    """One group's clustered sums of ``figure``, from a row of :func:`group_sums_sql`."""
    count, total, squares = FIGURES[figure]
    return ClusterSums(
        n=int(number(group[count])),
        total=number(group[total]),
        squares=number(group[squares]),
        clusters=int(number(group[f"{count}_clusters"])),
        ss=number(group[f"{figure}_ss"]),
        sn=number(group[f"{figure}_sn"]),
        nn=number(group[f"{count}_nn"]),
    )


def cross_columns(a: str = "a.{}", b: str = "b.{}") -> list[str]:
    """For two per-customer sides joined on the customer: the cross sums of every figure,
    named ``<figure>_s1s2`` … (see :func:`cross_sums`). ``a`` and ``b`` spell a column of
    each side (a format string: ``"a.{}"``, or an expression such as ``"(t.{0} - a.{0})"``
    for "the rest")."""
    columns = []
    for figure, (count, total, _) in FIGURES.items():
        s1, n1, s2, n2 = a.format(total), a.format(count), b.format(total), b.format(count)
        columns += [
            f"sum({s1} * {s2}) AS {figure}_s1s2",
            f"sum({s1} * {n2}) AS {figure}_s1n2",
            f"sum({n1} * {s2}) AS {figure}_n1s2",
            f"sum({n1} * {n2}) AS {figure}_n1n2",
            f"count_if({n1} > 0 AND {n2} > 0) AS {figure}_shared",
        ]
    return columns


def pairs_sql(
    by_customer: str, keys: Sequence[str], *, same: Sequence[str] = (), step: bool = False
) -> str:
    """Cross sums of every pair of groups that share customers: a's keys, b's keys
    (``other_<key>``), and :func:`cross_columns`.

    ``same``: keys both groups must share (the scope a pair is compared in). ``step``: pair
    each period with the one before it in the same series (``same`` names the series), by
    the periods' rank within the series; otherwise every pair of distinct groups."""
    names = [ident(k) for k in keys]
    source = f"({by_customer})"
    if step:
        series = ", ".join(ident(k) for k in same)
        over = f"PARTITION BY {series} " if series else ""
        source = (
            f"(SELECT *, dense_rank() OVER ({over}ORDER BY period) AS _rank "
            f"FROM ({by_customer}) AS ranked)"
        )
    on = [
        "a._customer = b._customer",
        *(f"a.{ident(k)} IS NOT DISTINCT FROM b.{ident(k)}" for k in same),
    ]
    if step:
        on.append("a._rank = b._rank + 1")
    else:
        on.append("(" + " OR ".join(f"a.{n} IS DISTINCT FROM b.{n}" for n in names) + ")")
    picked = [f"a.{n} AS {n}" for n in names] + [
        f"b.{n} AS {ident('other_' + k)}" for n, k in zip(names, keys, strict=True)
    ]
    return (
        f"SELECT {', '.join([*picked, *cross_columns()])} FROM {source} AS a "
        f"JOIN {source} AS b ON {' AND '.join(on)} GROUP BY ALL"
    )


def rest_sql(by_customer: str, keys: Sequence[str]) -> str:
    """Per group: its cross sums with "the rest", and what the rest's own clustered sums lose
    to the group.

    The rest holds the answers with a known value of every key (METRICS.md: an answer with no
    region is no evidence about the regions), the group's own excepted: per customer, the
    customer's known total T_c less their sums in the group when it is a known one. So its
    Σ s_c² is the known total's less Σ_{c∈g} (T_c² − (T_c − s_c)²), and likewise Σ s_c n_c
    and Σ n_c²; and its customers are all but those who answered only in g. One pass over
    the group's customers, whatever the number of groups (a rest built per group would cost
    groups × customers). The unknown group is compared with all the known answers."""
    names = [ident(k) for k in keys]
    known = " AND ".join(f"{n} IS NOT NULL" for n in names) or "TRUE"
    totals = ", ".join(f"sum({c}) AS {c}" for c in ("n", *ANSWERS))
    mine = " AND ".join(f"a.{n} IS NOT NULL" for n in names) or "TRUE"
    own = f"CASE WHEN {mine} THEN a.{{0}} ELSE 0 END"
    rest = f"(t.{{0}} - {own})"
    columns = [
        *cross_columns("a.{}", rest),
        f"count_if(t.n = {own.format('n')}) AS lost_customers",
    ]
    for figure, (count, total, _) in FIGURES.items():
        whole, less = f"t.{total}", rest.format(total)
        columns += [
            f"sum({whole} * {whole} - {less} * {less}) AS {figure}_lost_ss",
            f"sum({whole} * t.{count} - {less} * {rest.format(count)}) AS {figure}_lost_sn",
        ]
    for count in COUNTS:
        less = rest.format(count)
        columns += [
            f"sum(t.{count} * t.{count} - {less} * {less}) AS {count}_lost_nn",
            f"count_if(t.{count} > 0 AND {less} = 0) AS {count}_lost_clusters",
        ]
    return (
        f"WITH a AS ({by_customer}), t AS (SELECT _customer, {totals} FROM a WHERE {known} "
        "GROUP BY _customer) "
        f"SELECT {', '.join([*(f'a.{n} AS {n}' for n in names), *columns])} "
        "FROM a LEFT JOIN t USING (_customer) GROUP BY ALL"
    )


def the_rest(
    total: dict[str, Any], group: dict[str, Any], lost: dict[str, Any], *, known: bool
) -> dict[str, Any]:
    """The rest of ``group``: its sums as a group row (for :func:`cluster_sums`), from the
    sums of all the known groups, the group's own (subtracted when it is ``known``, one of
    them), and :func:`rest_sql`'s row for it."""
    rest = {c: number(total[c]) - known * number(group[c]) for c in ("n", *ANSWERS)}
    rest["customers"] = number(total["customers"]) - number(lost["lost_customers"])
    for figure in FIGURES:
        for part in ("ss", "sn"):
            rest[f"{figure}_{part}"] = number(total[f"{figure}_{part}"]) - number(
                lost[f"{figure}_lost_{part}"]
            )
    for count in COUNTS:
        rest[f"{count}_nn"] = number(total[f"{count}_nn"]) - number(lost[f"{count}_lost_nn"])
        rest[f"{count}_clusters"] = number(total[f"{count}_clusters"]) - number(
            lost[f"{count}_lost_clusters"]
        )
    return rest


def cross_sums(
    row: dict[str, Any] | None, figure: str, a: ClusterSums, b: ClusterSums
) -> CrossSums:
    """The cross sums of ``figure`` between groups a and b from a row of
    :func:`cross_columns` (``None``: no customer in common); the clusters are those of
    either group, the shared ones counted once."""
    if row is None:
        return CrossSums.none_shared(a, b)
    shared = int(number(row[f"{figure}_shared"]))
    return CrossSums(
        s1s2=number(row[f"{figure}_s1s2"]),
        s1n2=number(row[f"{figure}_s1n2"]),
        n1s2=number(row[f"{figure}_n1s2"]),
        n1n2=number(row[f"{figure}_n1n2"]),
        clusters=a.clusters + b.clusters - shared,
    )
