"""``touchpoints items``: any rated item (``attr.*`` by default) per group, and the CSI.

For each item and group the engine returns n, sums and box counts, summed per customer first
so that the intervals are customer-clustered (METRICS.md, *Inference*); the core adds the mean
with its t interval, the 0–100 score and the top-2 and bottom-2 box shares with Wilson
intervals.
The CSI of a group weighs its items' scores (equal weights unless stated); its bootstrap
resamples customers (METRICS.md, *Inference*), so the engine sends each customer's distinct
answer patterns with their counts. The customer is the linked one (through ``identities``),
else the response's pseudonym, and a response without a customer is a customer of its own, as
in :mod:`touchpoints.services.grouped`; it leaves the engine as a number, not as its key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

import ibis.expr.types as ir

from touchpoints.core.bootstrap import check_resamples, check_seed
from touchpoints.core.metrics.clustered import ClusterSums
from touchpoints.core.metrics.items import csi_from_patterns, csi_weights
from touchpoints.core.metrics.survey import mean_from_moments, proportion_from_counts
from touchpoints.core.rules import is_bottom_box, is_top_box, rescale
from touchpoints.errors import ParameterError
from touchpoints.services.grouped import number
from touchpoints.services.metrics import as_int, as_key, moments, period_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.items import CsiRow, ItemRow, ItemsResult
from touchpoints.services.selection import selected_responses
from touchpoints.storage.folder import WorkspaceFolder


def _chosen(con: Any, patterns: Sequence[str]) -> list[str]:
    """Stored item names matching any of the glob ``patterns``."""
    items = con.table("response_items")
    names = sorted(items.select("item").distinct().execute()["item"])
    chosen = [n for n in names if any(fnmatchcase(n, p) for p in patterns)]
    if not chosen:
        shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
        raise ParameterError(
            "items",
            f"no stored item matches {', '.join(patterns)} (items: {shown or 'none stored'})",
        )
    return chosen


def _sums(row: Mapping[str, Any], total: str, squares: str) -> ClusterSums:
    """One item's clustered sums of a figure (its answers' ``total``; of squares,
    ``squares``) from a row of the engine's statistics."""
    return ClusterSums(
        n=as_int(row["n"]),
        total=number(row[total]),
        squares=number(row[squares]),
        clusters=as_int(row["customers"]),
        ss=number(row[f"{total}_ss"]),
        sn=number(row[f"{total}_sn"]),
        nn=number(row["nn"]),
    )


def _key(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    key = {n: as_key(row[n]) for n in names if n != "period"}
    if "period" in names:
        key["period"] = period_key(row["period"])
    return key


def items_report(
    workspace: WorkspaceFolder,
    query: MetricsQuery,
    *,
    items: Sequence[str] = ("attr.*",),
    weights: Mapping[str, float] | None = None,
    scale: tuple[int, int] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> ItemsResult:
    """Per group and item the mean, score and boxes; per group the CSI."""
    query.check()
    model = workspace.model
    settings = model.metrics
    low, high = scale or settings.scales.items
    opts: dict[str, Any] = {"confidence": settings.confidence, "min_n": settings.min_n}
    with workspace.warehouse() as warehouse:
        con = warehouse.ibis()
        chosen = _chosen(con, items)
        csi_weights(chosen, weights)  # checked before the engine is asked
        check_resamples(resamples)
        check_seed(seed)
        responses, names = selected_responses(warehouse, model, query)
        stored = con.table("response_items")
        stored = stored.filter(stored.item.isin(chosen), stored.value.notnull())
        identities = con.table("identities")
        linked = responses.left_join(identities, responses.customer == identities.pseudonym)
        customer = linked.customer_key.fill_null(linked.customer).fill_null(
            "response|" + linked.response_id
        )
        keyed = linked.select("response_id", *names, _customer=customer)
        rated: ir.Table = stored.join(keyed, "response_id").select(
            "response_id", "item", "value", "_customer", *names
        )
        # Per customer first, then per group: the sums the clustered variances need.
        per = rated.group_by([*names, "item", "_customer"]).aggregate(
            n=rated.count(),
            total=rated.value.sum(),
            squares=(rated.value * rated.value).sum(),
            top=is_top_box(rated.value, (low, high)).sum(),
            bottom=is_bottom_box(rated.value, (low, high)).sum(),
            lowest=rated.value.min(),
            highest=rated.value.max(),
        )
        clustered = {
            f"{figure}_{part}": (per[figure] * per[other]).sum()
            for figure in ("total", "top", "bottom")
            for part, other in (("ss", figure), ("sn", "n"))
        }
        stats = (
            per.group_by([*names, "item"])
            .aggregate(
                n=per.n.sum(),
                total=per.total.sum(),
                squares=per.squares.sum(),
                top=per.top.sum(),
                bottom=per.bottom.sum(),
                lowest=per.lowest.min(),
                highest=per.highest.max(),
                customers=per.count(),
                nn=(per.n * per.n).sum(),
                **clustered,
            )
            .order_by([*names, "item"])
            .execute()
            .to_dict("records")
        )
        if not stats:  # nothing rated in this selection
            return ItemsResult(tuple(query.keys), (low, high), {}, (), ())
        wide = rated.pivot_wider(
            id_cols=["response_id", "_customer", *names],
            names_from="item",
            values_from="value",
            values_agg="mean",
        )
        answered = [i for i in chosen if i in wide.columns]
        grouped = wide.group_by([*names, "_customer", *answered]).aggregate(count=wide.count())
        patterns = grouped.mutate(_customer=grouped._customer.dense_rank()).execute()
    # The engine returns groups in any order: sorted, a group's rows sum alike every time.
    order = [*names, "_customer", *answered]
    patterns = patterns.sort_values(order, na_position="last", ignore_index=True)
    outside = [r["item"] for r in stats if r["lowest"] < low or r["highest"] > high]
    if outside:
        raise ParameterError(
            "scale",
            f"{', '.join(sorted(set(outside)))}: answers outside the scale {low}–{high}; "
            "give the items' scale with {scale} LOW,HIGH or metrics.scales.items",
        )
    rows = []
    for r in stats:
        n = as_int(r["n"])
        average, sd = moments(n, r["total"], r["squares"])
        mean = mean_from_moments(
            n,
            average,
            sd,
            metric="mean",
            scale=(low, high),
            clustered=_sums(r, "total", "squares"),
            **opts,
        )
        top = proportion_from_counts(
            as_int(r["top"]), n, metric="top_box", clustered=_sums(r, "top", "top"), **opts
        )
        bottom = proportion_from_counts(
            as_int(r["bottom"]),
            n,
            metric="bottom_box",
            clustered=_sums(r, "bottom", "bottom"),
            **opts,
        )
        figures = {"mean": mean, "top_box": top, "bottom_box": bottom}
        rows.append(
            ItemRow(
                group=_key(r, names),
                item=r["item"],
                n=n,
                customers=as_int(r["customers"]),
                mean=mean.value,
                mean_low=mean.low,
                mean_high=mean.high,
                top_box=top.value,
                top_box_low=top.low,
                top_box_high=top.high,
                bottom_box=bottom.value,
                bottom_box_low=bottom.low,
                bottom_box_high=bottom.high,
                score=rescale(average, (low, high)),
                insufficient=n < settings.min_n,
                method={name: e.method for name, e in figures.items()},
                design_effect={name: e.design_effect for name, e in figures.items()},
            )
        )
    # A weighted item nobody rated here stays in, unanswered: its CSI has no value, rather
    # than a CSI over the other items under weights that were not asked for.
    columns = list(weights) if weights else answered
    indices = []
    grouped = patterns.groupby(names, dropna=False, sort=True) if names else [((), patterns)]
    for key, part in grouped:
        estimate = csi_from_patterns(
            part.reindex(columns=columns),
            part["count"].to_numpy(),
            scale=(low, high),
            weights=weights or None,
            resamples=resamples,
            seed=seed,
            customers=part["_customer"].to_numpy(),
            **opts,
        )
        values = dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True))
        indices.append(
            CsiRow(
                group=_key(values, names),
                csi=estimate.value,
                low=estimate.low,
                high=estimate.high,
                n=estimate.n,
                insufficient=estimate.insufficient,
                method=estimate.method,
            )
        )
    total = sum(weights.values()) if weights else len(answered)
    share = {k: (weights[k] if weights else 1) / total for k in columns}
    return ItemsResult(tuple(query.keys), (low, high), share, tuple(rows), tuple(indices))
