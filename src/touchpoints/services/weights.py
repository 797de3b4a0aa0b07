"""Touchpoint weights of the index: stated in the model, derived from the data, or equal.

*Stated*: within a channel, weights that add up to at most 1 are read as shares of the channel
(``web_checkout: 0.4`` is 40 % of the web index) and the touchpoints without one split the rest
equally; larger numbers are relative importances, and a touchpoint without one takes their
mean. With no weight stated anywhere, every touchpoint weighs the same.

*Derived*: relative weights (Johnson 2000) of touchpoint ratings on likelihood to recommend.
The data is a relationship survey whose answers carry ``attr.<touchpoint id>`` ratings and an
NPS answer; failing that, each customer's mean CSAT per touchpoint against the same customer's
latest NPS answer. Correlations are pairwise-complete and computed in the engine; the n behind
them is reported. Touchpoints with fewer than ``min_n`` pairs take the mean derived weight.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from touchpoints.core.metrics.importance import RelativeWeights, relative_weights
from touchpoints.model.schema import CXModel, Touchpoint


def stated_weights(model: CXModel) -> dict[str, float]:
    """Each touchpoint's stated weight, the gaps filled as the module says.

    The touchpoints are grouped by channel in one pass: a scan per channel cost channels ×
    touchpoints (a million steps for 50 channels of 20,000 touchpoints)."""
    by_channel: dict[str, list[Touchpoint]] = {c.id: [] for c in model.channels}
    for touchpoint in model.touchpoints:
        by_channel[touchpoint.channel].append(touchpoint)
    weights: dict[str, float] = {}
    for members in by_channel.values():
        stated = [t.weight for t in members if t.weight is not None]
        missing = len(members) - len(stated)
        if not stated:
            fill = 1.0
        elif sum(stated) <= 1:
            fill = (1 - sum(stated)) / missing if missing else 0.0
        else:
            fill = float(np.mean(stated))
        weights |= {t.id: fill if t.weight is None else t.weight for t in members}
    return weights


def _wide_relationship(responses: ir.Table, items: ir.Table, ids: list[str]) -> ir.Table:
    """One row per relationship answer: its ``attr.<touchpoint>`` ratings and its NPS."""
    wanted = items.filter(items.item.isin([f"attr.{t}" for t in ids]), items.value.notnull())
    answered = responses.filter(responses.nps.notnull()).select("response_id", "nps")
    joined = wanted.join(answered, "response_id")
    return joined.pivot_wider(
        id_cols=["response_id", "nps"],
        names_from="item",
        values_from="value",
        values_agg="mean",
    )


def _wide_customers(responses: ir.Table, identities: ir.Table, ids: list[str]) -> ir.Table:
    """One row per customer: mean CSAT per touchpoint and the latest NPS answer."""
    keyed = responses.filter(responses.customer.notnull()).left_join(
        identities, responses.customer == identities.pseudonym
    )
    keyed = keyed.mutate(who=keyed.customer_key.fill_null(keyed.customer))
    rated = keyed.filter(keyed.touchpoint.isin(ids), keyed.csat.notnull())
    means = rated.group_by(["who", "touchpoint"]).aggregate(value=rated.csat.mean())
    wide = means.pivot_wider(id_cols="who", names_from="touchpoint", values_from="value")
    promoters = keyed.filter(keyed.nps.notnull())
    latest = promoters.group_by("who").aggregate(nps=promoters.nps.argmax(promoters.ts))
    return wide.join(latest, "who")


def _correlations(wide: ir.Table, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairwise-complete correlations and the n behind each, in one engine query."""
    aggregates: dict[str, ir.Scalar] = {}
    for i, a in enumerate(columns):
        aggregates[f"n_{i}_{i}"] = wide[a].count()
    for (i, a), (j, b) in combinations(enumerate(columns), 2):
        aggregates[f"r_{i}_{j}"] = wide[a].corr(wide[b], how="pop")
        aggregates[f"n_{i}_{j}"] = (wide[a].notnull() & wide[b].notnull()).sum()
    found = wide.aggregate(**aggregates).execute().iloc[0]
    corr = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    counts = pd.DataFrame(0, index=columns, columns=columns)
    for i in range(len(columns)):
        counts.iloc[i, i] = int(found[f"n_{i}_{i}"] or 0)
    for i, j in combinations(range(len(columns)), 2):
        value = found[f"r_{i}_{j}"]
        corr.iloc[i, j] = corr.iloc[j, i] = np.nan if value is None else float(value)
        counts.iloc[i, j] = counts.iloc[j, i] = int(found[f"n_{i}_{j}"] or 0)
    return corr, counts


def _usable(corr: pd.DataFrame, counts: pd.DataFrame, min_n: int) -> list[str]:
    """Drivers with ``min_n`` pairs with NPS, dropping the thinnest until all pairs are defined."""
    with_nps, r_nps = counts["nps"], corr["nps"]
    drivers = [d for d in corr.columns if d != "nps" and with_nps[d] >= min_n]
    drivers = [d for d in drivers if not np.isnan(r_nps[d])]
    while drivers:
        block = corr.loc[drivers, drivers].to_numpy()
        pairs = counts.loc[drivers, drivers].to_numpy()
        bad = np.isnan(block) | (pairs < 3)
        if not bad.any():
            break
        drivers.pop(int(np.argmax(bad.sum(axis=1) * 1e9 - pairs.sum(axis=1))))
    return drivers


def derived_weights(
    model: CXModel, responses: ir.Table, items: ir.Table, identities: ir.Table
) -> tuple[dict[str, float], dict[str, Any]]:
    """Derived weights (shares of R²) per touchpoint, and how they were derived."""
    ids = [t.id for t in model.touchpoints]
    min_n = model.metrics.min_n
    sources = [
        ("relationship survey", _wide_relationship(responses, items, ids), "attr."),
        ("per-customer CSAT", _wide_customers(responses, identities, ids), ""),
    ]
    for source, wide, prefix in sources:
        present = [f"{prefix}{t}" for t in ids if f"{prefix}{t}" in wide.columns]
        if not present:
            continue
        corr, counts = _correlations(wide, [*present, "nps"])
        drivers = _usable(corr, counts, min_n)
        if len(drivers) < 2:
            continue
        result = relative_weights(
            corr.loc[[*drivers, "nps"], [*drivers, "nps"]],
            outcome="nps",
            counts=counts.loc[[*drivers, "nps"], [*drivers, "nps"]],
        )
        if result.r2 <= 0:
            continue
        return _spread(result, ids, prefix, source, int(counts["nps"]["nps"]))
    return dict.fromkeys(ids, 1.0), {
        "source": None,
        "note": f"no data to derive weights from (each touchpoint needs {min_n} answers paired "
        "with an NPS answer): equal weights",
    }


def _spread(
    result: RelativeWeights, ids: list[str], prefix: str, source: str, rows: int
) -> tuple[dict[str, float], dict[str, Any]]:
    shares = dict(zip((d.removeprefix(prefix) for d in result.drivers), result.share, strict=True))
    fill = float(np.mean(list(shares.values())))
    weights = {t: float(shares.get(t, fill)) for t in ids}
    drivers = {
        d.removeprefix(prefix): {"raw": float(raw), "share": float(share), "n": result.n[d]}
        for d, raw, share in zip(result.drivers, result.raw, result.share, strict=True)
    }
    return weights, {
        "source": source,
        "outcome": "nps",
        "rows": rows,
        "r2": result.r2,
        "n_min": result.n_min,
        "adjusted": result.adjusted,
        "drivers": drivers,
        "imputed": [t for t in ids if t not in shares],
    }
