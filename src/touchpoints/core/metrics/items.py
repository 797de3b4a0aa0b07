"""Any rated item: top- and bottom-box shares, and the CSI over several attributes.

**CSI** (METRICS.md): each attribute's mean rescaled to 0–100,
``(mean − low) / (high − low) × 100``, then ``CSI = Σ wᵢ × scoreᵢ`` with ``Σ wᵢ = 1`` (equal
weights unless stated). Its interval is a percentile bootstrap that resamples **customers**
with all their answers (METRICS.md, *Inference*): a respondent's attributes stay together, so
their correlation is kept, and so do the several responses of one customer, which are
correlated too. Every attribute's mean is a ratio of totals, so a resample needs only each
customer's answers and rating sum per attribute; the engine sends each customer's distinct
answer patterns with their counts. Customers are weighed as in the MTSI: independent Poisson(1)
weights in blocks (:func:`touchpoints.core.bootstrap.poisson_totals`).

>>> import pandas as pd
>>> answers = pd.DataFrame({"wait": [5, 4, 2, None], "staff": [4, 4, 3, 5]})  # 66.7 and 75
>>> round(csi(answers, scale=(1, 5), resamples=0, min_n=1).value, 2)
70.83
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from touchpoints.core.bootstrap import check_resamples, check_seed, customer_codes, poisson_totals
from touchpoints.core.metrics.estimate import Estimate
from touchpoints.core.metrics.survey import Scores, _clean, proportion_from_counts
from touchpoints.core.rules import is_bottom_box, is_top_box, rescale
from touchpoints.errors import ParameterError

Scale = tuple[int, int]


class Options(TypedDict, total=False):
    confidence: float
    min_n: int


def _share(hits: np.ndarray, metric: str, options: Options) -> Estimate:
    return proportion_from_counts(int(hits.sum()), len(hits), metric=metric, **options)


def top_box(
    scores: Scores, *, scale: Scale, boxes: int = 2, **options: Unpack[Options]
) -> Estimate:
    """Share answering one of the ``boxes`` highest points of ``scale`` (Wilson interval)."""
    return _share(is_top_box(_clean(scores), scale, boxes), "top_box", options)


def bottom_box(
    scores: Scores, *, scale: Scale, boxes: int = 2, **options: Unpack[Options]
) -> Estimate:
    """Share answering one of the ``boxes`` lowest points of ``scale`` (Wilson interval)."""
    return _share(is_bottom_box(_clean(scores), scale, boxes), "bottom_box", options)


def csi_weights(items: Sequence[str], weights: Mapping[str, float] | None) -> np.ndarray:
    """The CSI weight of each of ``items``, normalised to sum to 1 (equal when ``None``).

    Weights name only rated items and are finite numbers ≥ 0 with a positive sum; anything
    else is a :class:`~touchpoints.errors.ParameterError` on ``weights``.
    """
    if weights is None:
        return np.full(len(items), 1 / len(items))
    unknown = set(weights) - set(items)
    if unknown:
        raise ParameterError("weights", f"names items not chosen: {', '.join(sorted(unknown))}")
    found = np.array([float(weights.get(i, 0.0)) for i in items])
    if not np.isfinite(found).all() or (found < 0).any() or found.sum() <= 0:
        raise ParameterError("weights", "CSI weights are numbers ≥ 0 with a positive sum")
    normalised: np.ndarray = found / found.sum()
    return normalised


def csi_from_patterns(
    patterns: pd.DataFrame,
    counts: Sequence[int] | np.ndarray,
    *,
    scale: tuple[int, int],
    weights: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    resamples: int = 1000,
    seed: int = 0,
    customers: Sequence[Any] | pd.Series | np.ndarray | None = None,
) -> Estimate:
    """The CSI from distinct answer patterns (one column per attribute, NaN unanswered) and how
    many respondents gave each. ``n`` counts respondents who rated at least one attribute.

    ``customers`` gives each pattern row's customer (one row per customer and pattern): the
    interval then resamples customers with all their responses (``bootstrap-customers``).
    Without it every respondent is a customer of its own (``bootstrap-respondents``), which
    is right only where nobody answers twice. Customers are drawn in the order of their
    labels (:func:`~touchpoints.core.bootstrap.customer_codes`).
    """
    check_resamples(resamples)
    check_seed(seed)
    items = list(patterns.columns)
    w = csi_weights(items, weights)
    values = patterns.to_numpy(dtype=float)
    answered = ~np.isnan(values)
    keep = answered.any(axis=1)
    values, answered = values[keep], answered[keep]
    observed = np.asarray(counts, dtype=np.int64)[keep]
    n = int(observed.sum())
    unit = "respondents" if customers is None else "customers"
    method = (
        f"bootstrap-{unit} (percentile), {resamples} resamples, seed {seed}"
        if resamples
        else "no interval"
    )
    if n == 0:
        return Estimate("csi", None, 0, None, None, method, confidence, min_n)
    # Per pattern: its answers to each attribute, then their ratings (columns i and items + i).
    columns = np.hstack([answered, np.where(answered, values, 0.0)])
    draws = observed[None, :] @ columns
    if resamples:
        from scipy import sparse  # 0.2 s to import: only when a bootstrap runs

        if customers is None:  # a pattern given k times is k customers: Poisson(k) in all
            drawn = poisson_totals(sparse.csr_matrix(columns), resamples, seed, observed)
        else:
            who = customer_codes(np.asarray(customers)[keep])
            rows = (observed, (who, np.arange(len(who))))
            each = sparse.csr_matrix(rows, shape=(who.max() + 1, len(who)))
            drawn = poisson_totals(each @ sparse.csr_matrix(columns), resamples, seed)
        draws = np.vstack([draws, drawn])
    answers, totals = draws[:, : len(items)], draws[:, len(items) :]
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = rescale(totals / answers, scale)
    used = w > 0  # an unweighted attribute without answers must not blank the index
    index = scores[:, used] @ w[used]  # NaN where a weighted attribute has no answers
    value = None if np.isnan(index[0]) else float(index[0])
    interval: tuple[float | None, float | None] = (None, None)
    if value is not None and resamples and not np.isnan(index[1:]).all():
        found = np.nanpercentile(index[1:], [(1 - confidence) * 50, (1 + confidence) * 50])
        interval = (float(found[0]), float(found[1]))
    return Estimate("csi", value, n, *interval, method, confidence, min_n)


class CsiOptions(Options, total=False):
    weights: Mapping[str, float] | None
    resamples: int
    seed: int
    customers: Sequence[Any] | pd.Series | np.ndarray | None


def csi(answers: pd.DataFrame, *, scale: Scale, **options: Unpack[CsiOptions]) -> Estimate:
    """The CSI from one row per respondent and one column per attribute (NaN unanswered);
    options as for :func:`csi_from_patterns`, ``customers`` giving each row's customer."""
    if options.get("customers") is not None:
        return csi_from_patterns(answers, np.ones(len(answers)), scale=scale, **options)
    grouped = answers.astype(float).value_counts(dropna=False).rename("count").reset_index()
    counts = grouped["count"].to_numpy()
    return csi_from_patterns(grouped[list(answers.columns)], counts, scale=scale, **options)
