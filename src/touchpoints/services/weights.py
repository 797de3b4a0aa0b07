"""Touchpoint weights of the index: stated in the model, derived from the data, or equal.

*Stated*: within a channel, weights that add up to at most 1 are read as shares of the channel
(``web_checkout: 0.4`` is 40 % of the web index) and the touchpoints without one split the rest
equally; larger numbers are relative importances, and a touchpoint without one takes their
mean. With no weight stated anywhere, every touchpoint weighs the same.

*Derived* (METRICS.md, *Indices*): relative weights (Johnson 2000) of touchpoint ratings on
likelihood to recommend. The data is a relationship survey whose answers carry
``attr.<touchpoint id>`` ratings and an NPS answer; failing that, each customer's mean CSAT per
touchpoint against the same customer's latest NPS answer. That wide table (one row per answer
or customer, a column per touchpoint) is fetched once: it is small, and the customer bootstrap
needs its rows. Correlations are pairwise-complete, and every one used rests on at least
``min_n`` pairs, since a correlation from a handful of pairs is noise that the weights would
pass on as importance: the thinnest touchpoints are dropped until that holds and take the mean
derived weight (listed in ``imputed``). A pairwise matrix that is not positive semi-definite is
repaired to the nearest correlation matrix (Higham 2002) and the output says so. Each share has
a percentile interval from resampling customers with all their answers (200 resamples by
default). Where the data cannot carry weights (fewer than two touchpoints left, fewer than
``min_n`` customers, an R² of 0) every touchpoint weighs the same and ``note`` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from touchpoints.core.metrics.importance import (
    RelativeWeights,
    pairwise_correlations,
    relative_weights_from_data,
)
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


def _keyed(responses: ir.Table, identities: ir.Table) -> ir.Table:
    """Answers with ``who``: the linked customer (through ``identities``), else the pseudonym,
    null for an answer without a customer."""
    keyed = responses.left_join(identities, responses.customer == identities.pseudonym)
    return keyed.mutate(who=keyed.customer_key.fill_null(keyed.customer))


def _wide_relationship(
    responses: ir.Table, items: ir.Table, identities: ir.Table, ids: list[str]
) -> ir.Table:
    """One row per relationship answer: its customer, ``attr.<touchpoint>`` ratings and NPS."""
    wanted = items.filter(items.item.isin([f"attr.{t}" for t in ids]), items.value.notnull())
    keyed = _keyed(responses, identities)
    answered = keyed.filter(keyed.nps.notnull()).select("response_id", "nps", "who")
    joined = wanted.join(answered, "response_id")
    return joined.pivot_wider(
        id_cols=["response_id", "nps", "who"],
        names_from="item",
        values_from="value",
        values_agg="mean",
    )


def _wide_customers(responses: ir.Table, identities: ir.Table, ids: list[str]) -> ir.Table:
    """One row per customer: mean CSAT per touchpoint and the latest NPS answer."""
    keyed = _keyed(responses.filter(responses.customer.notnull()), identities)
    rated = keyed.filter(keyed.touchpoint.isin(ids), keyed.csat.notnull())
    means = rated.group_by(["who", "touchpoint"]).aggregate(value=rated.csat.mean())
    wide = means.pivot_wider(id_cols="who", names_from="touchpoint", values_from="value")
    promoters = keyed.filter(keyed.nps.notnull())
    latest = promoters.group_by("who").aggregate(nps=promoters.nps.argmax(promoters.ts))
    return wide.join(latest, "who")


def _reasons(why: list[str], limit: int = 5) -> str:
    """The first ``limit`` reasons for a note: a model may have thousands of touchpoints."""
    shown = "; ".join(why[:limit])
    more = len(why) - limit
    return f"{shown}; and {more:,} more touchpoints" if more > 0 else shown


def _count(k: int, unit: str) -> str:
    return f"{k:,} {unit}" if k == 1 else f"{k:,} {unit}s"


def _usable(
    corr: pd.DataFrame, counts: pd.DataFrame, min_n: int, unit: str
) -> tuple[list[str], list[str]]:
    """The drivers whose every correlation is defined and rests on ``min_n`` pairs, and why
    each other one was dropped.

    Drivers with too few pairs with NPS go first; then, while some driver–driver pair is
    undefined or thin, the driver with the most such pairs (the fewest pairs in all, on a tie)
    is dropped, which keeps as many drivers as this greedy order can."""
    why: list[str] = []
    drivers: list[str] = []
    names = [str(c) for c in corr.columns if c != "nps"]
    with_nps = counts.loc[names, "nps"].to_numpy(dtype=int)
    r_nps = corr.loc[names, "nps"].to_numpy(dtype=float)
    for d, k, r in zip(names, with_nps, r_nps, strict=True):
        if k < min_n:
            why.append(f"{d} has only {_count(int(k), unit)} paired with NPS")
        elif np.isnan(r):
            why.append(f"{d}'s correlation with NPS is undefined (no variation)")
        else:
            drivers.append(d)
    while drivers:
        block = corr.loc[drivers, drivers].to_numpy()
        pairs = counts.loc[drivers, drivers].to_numpy()
        bad = np.isnan(block) | (pairs < min_n)
        if not bad.any():
            break
        worst = int(np.argmax(bad.sum(axis=1) * 1e9 - pairs.sum(axis=1)))
        partner = int(np.argmax(np.isnan(block[worst]) * 1e9 - pairs[worst]))
        d, other = drivers[worst], drivers[partner]
        why.append(
            f"{d}'s correlation with {other} is undefined"
            if np.isnan(block[worst, partner])
            else f"{d} shares only {_count(int(pairs[worst, partner]), unit)} with {other}"
        )
        drivers.pop(worst)
    return drivers, why


def derived_weights(
    model: CXModel,
    responses: ir.Table,
    items: ir.Table,
    identities: ir.Table,
    *,
    resamples: int = 200,
    seed: int = 0,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Derived weights (shares of R²) per touchpoint, and how they were derived: the source,
    R², the smallest n behind a correlation, whether the matrix was repaired, per touchpoint
    the raw weight, share, customer-bootstrap limits and n, and a note on what was left out
    and why. Equal weights, with the reason in ``note``, where the data cannot carry them."""
    ids = [t.id for t in model.touchpoints]
    min_n = model.metrics.min_n
    # Source, its wide table, column prefix, what a row is and the row's key: rows in key
    # order, so that a seed draws the same customers whatever order the engine returns.
    sources: list[tuple[str, Callable[[], ir.Table], str, str, str]] = [
        (
            "relationship survey",
            lambda: _wide_relationship(responses, items, identities, ids),
            "attr.",
            "answer",
            "response_id",
        ),
        (
            "per-customer CSAT",
            lambda: _wide_customers(responses, identities, ids),
            "",
            "customer",
            "who",
        ),
    ]
    notes: list[str] = []
    for source, build, prefix, unit, key in sources:
        wide = build().execute().sort_values(key, ignore_index=True)
        present = [
            f"{prefix}{t}"
            for t in ids
            if f"{prefix}{t}" in wide.columns and wide[f"{prefix}{t}"].notna().any()
        ]
        if not present:
            continue
        values = wide[[*present, "nps"]].rename(columns={f"{prefix}{t}": t for t in ids})
        corr, counts = pairwise_correlations(values)
        drivers, why = _usable(corr, counts, min_n, unit)
        needs = f"each correlation needs {min_n}"
        if len(drivers) < 2:
            left = "no touchpoint" if not drivers else f"only {drivers[0]}"
            notes.append(f"{source}: {_reasons(why)}; {needs}, which leaves {left}")
            continue
        used = values[drivers].notna().any(axis=1)
        customers = int(wide["who"][used].nunique() + wide["who"][used].isna().sum())
        if customers < min_n:
            notes.append(
                f"{source}: the {int(used.sum()):,} answers come from only "
                f"{_count(customers, 'customer')}; the customer bootstrap needs {min_n}"
            )
            continue
        result = relative_weights_from_data(
            values,
            outcome="nps",
            drivers=drivers,
            clusters=wide["who"],
            resamples=resamples,
            confidence=model.metrics.confidence,
            seed=seed,
        )
        if result.r2 <= 0:
            notes.append(f"{source}: the touchpoint ratings explain none of NPS (R² = 0)")
            continue
        if why:
            notes.append(f"{_reasons(why)}; {needs}: they take the mean derived weight")
        if result.repaired:
            notes.append(
                "the pairwise correlations do not fit together (smallest eigenvalue "
                f"{result.min_eigenvalue:.3f}): repaired to the nearest correlation matrix "
                "(Higham 2002), so read the shares rather than R²"
            )
        about = {"source": source, "rows": len(values), "customers": customers}
        return _spread(result, ids, about, "; ".join(notes) or None)
    if not notes:
        notes.append(
            f"no data to derive weights from (each touchpoint needs {min_n} answers paired "
            "with an NPS answer)"
        )
    return dict.fromkeys(ids, 1.0), _derivation(note="; ".join(notes) + ": equal weights")


def _derivation(**found: Any) -> dict[str, Any]:
    """The derivation's keys in one order, whether weights were derived or not."""
    empty: dict[str, Any] = {
        "source": None,
        "outcome": "nps",
        "rows": None,
        "customers": None,
        "r2": None,
        "n_min": None,
        "repaired": False,
        "min_eigenvalue": None,
        "method": None,
        "resamples": 0,
        "confidence": None,
        "drivers": {},
        "imputed": [],
        "note": None,
    }
    return empty | found


def _limit(limits: np.ndarray | None, i: int) -> float | None:
    """One bootstrap limit, None where no bootstrap ran or no resample counted."""
    return None if limits is None or np.isnan(limits[i]) else float(limits[i])


def _spread(
    result: RelativeWeights, ids: list[str], about: dict[str, Any], note: str | None
) -> tuple[dict[str, float], dict[str, Any]]:
    """Shares to every touchpoint, the mean share to those without one, and the report."""
    shares = dict(zip(result.drivers, result.share, strict=True))
    fill = float(np.mean(list(shares.values())))
    weights = {t: float(shares.get(t, fill)) for t in ids}
    drivers = {
        d: {
            "raw": float(raw),
            "share": float(share),
            "low": _limit(result.low, i),
            "high": _limit(result.high, i),
            "n": result.n[d],
        }
        for i, (d, raw, share) in enumerate(
            zip(result.drivers, result.raw, result.share, strict=True)
        )
    }
    booted = result.low is not None
    return weights, _derivation(
        **about,
        r2=result.r2,
        n_min=result.n_min,
        repaired=result.repaired,
        min_eigenvalue=result.min_eigenvalue,
        method="bootstrap-customers" if booted else None,
        resamples=result.resamples,
        confidence=result.confidence,
        drivers=drivers,
        imputed=[t for t in ids if t not in shares],
        note=note,
    )
