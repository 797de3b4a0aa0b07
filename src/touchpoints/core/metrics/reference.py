"""Our figure against an outside reference value (an industry NPS, a sector CSAT).

A published reference is taken as a fixed number, so only our side carries sampling error:

- NPS: z = (NPS − reference) / se, se = 100 × √((p_P + p_D − (p_P − p_D)²) / n);
- a share (CSAT %, CES agree): the one-sample score test, z = (p̂ − p₀) / √(p₀(1 − p₀)/n),
  with the Wilson interval of our share, shifted by the reference, for the gap;
- a mean (CSAT mean, CES mean): the one-sample t test from n, mean and sd.

Each returns a :class:`Comparison` with ``a`` ours, ``b`` the reference.

>>> proportion_against(60, 100, 50.0)
csat: 60.00 − 50.00 = 10.00 [0.20, 19.06], p=0.0455 (one-sample score z)
"""

from __future__ import annotations

import math
from typing import cast

from scipy import stats

from touchpoints.core.metrics.clustered import ClusterSums, inflation
from touchpoints.core.metrics.compare import CLUSTERED, Counts, nps_moments, z_test
from touchpoints.core.metrics.estimate import Comparison
from touchpoints.core.metrics.survey import proportion_from_counts, t_value, z_value


def _p(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def _clustering(
    clustered: ClusterSums | None, independent: float
) -> tuple[float, float | None, str]:
    """The variance factor, the design effect and the method's suffix of our side."""
    if clustered is None:
        return 1.0, None, ""
    factor, effect = inflation(clustered.variance, independent)
    return factor, effect, CLUSTERED


def nps_against(
    counts: Counts,
    reference: float,
    *,
    confidence: float = 0.95,
    min_n: int = 30,
    clustered: ClusterSums | None = None,
) -> Comparison:
    """Our NPS (counts of promoters, passives, detractors) minus a reference NPS; below
    ``min_n`` answers with the adjusted variance of Rocks (2016). ``clustered``: our answers'
    sums by customer (scored +1/0/−1), whose design effect (at least 1) scales the
    variance."""
    value, variance, _ = nps_moments(counts, min_n)
    factor, effect, suffix = _clustering(clustered, nps_moments(counts)[1] / 100 / 100)
    se = math.sqrt(variance * factor)
    difference = value - reference
    z, p = z_test(difference, se)
    half = z_value(confidence) * se
    return Comparison(
        "nps",
        value,
        reference,
        difference,
        difference - half,
        difference + half,
        z,
        p,
        "one-sample z" + suffix,
        confidence,
        effect,
    )


def proportion_against(
    x: int,
    n: int,
    reference: float,
    *,
    metric: str = "csat",
    confidence: float = 0.95,
    clustered: ClusterSums | None = None,
) -> Comparison:
    """Our share (x of n) minus a reference share, both in percent. ``clustered``: our 0/1
    answers' sums by customer; the score test's variance is then scaled by their design
    effect (at least 1) and the interval is Wilson's at the effective n."""
    if n == 0:
        raise ValueError("a group without answers cannot be compared")
    p0 = reference / 100
    if not 0 < p0 < 1:
        raise ValueError(f"a reference share must lie strictly between 0 and 100, got {reference}")
    share = x / n
    factor, effect, suffix = _clustering(clustered, share * (1 - share) / n)
    z = (share - p0) / math.sqrt(p0 * (1 - p0) / n * factor)
    ours = proportion_from_counts(x, n, confidence=confidence, min_n=1, clustered=clustered)
    return Comparison(
        metric,
        100 * share,
        reference,
        100 * share - reference,
        cast(float, ours.low) - reference,
        cast(float, ours.high) - reference,
        z,
        _p(z),
        "one-sample score z" + suffix,
        confidence,
        effect,
    )


def mean_against(
    n: int,
    mean: float,
    sd: float,
    reference: float,
    *,
    metric: str = "mean",
    confidence: float = 0.95,
    clustered: ClusterSums | None = None,
) -> Comparison:
    """Our mean (from n, mean and sd with n − 1) minus a reference mean: one-sample t.
    ``clustered``: our answers' sums by customer; the variance is then scaled by their design
    effect (at least 1) and t has customers − 1 degrees of freedom."""
    if n < 2:
        raise ValueError("a one-sample t needs at least two answers")
    factor, effect, suffix = _clustering(clustered, sd * sd / n)
    dof = n - 1 if clustered is None else max(clustered.clusters - 1, 1)
    se = sd / math.sqrt(n) * math.sqrt(factor)
    difference = mean - reference
    if se > 0:
        t = difference / se
        p = float(2 * stats.t.sf(abs(t), dof))
    else:
        t = 0.0 if difference == 0 else math.copysign(math.inf, difference)
        p = 1.0 if difference == 0 else 0.0
    half = t_value(confidence, dof) * se
    return Comparison(
        metric,
        mean,
        reference,
        difference,
        difference - half,
        difference + half,
        t,
        p,
        "one-sample t" + suffix,
        confidence,
        effect,
    )
