"""Survey metrics with their intervals (METRICS.md, *Survey metrics*).

Each function has a ``*_from_counts`` (or moments) form, so the engine can aggregate millions
of rows and send back a handful of numbers, and a form over raw answers for notebooks and
tests; both give the same result. Missing answers (NaN) are non-response: they count in no n.

>>> nps_from_counts(promoters=5, passives=3, detractors=2, min_n=1)
nps = 30.0 [-18.4, 78.4] n=10, 95% wald
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

from touchpoints.core.metrics.clustered import ClusterSums, inflation
from touchpoints.core.metrics.estimate import Estimate
from touchpoints.core.metrics.quantiles import normal_quantile, t_quantile
from touchpoints.core.rules import ces_agrees, is_detractor, is_promoter, is_top_box

if TYPE_CHECKING:
    import numpy as np

Scores: TypeAlias = "Sequence[float] | np.ndarray"


@lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """The two-sided normal quantile: 1.96 at 95 %. (Cached: a grouped table asks it for
    every figure of every group.)"""
    return normal_quantile((1 + confidence) / 2)


@lru_cache(maxsize=4096)
def t_value(confidence: float, dof: float) -> float:
    """The two-sided Student t quantile with ``dof`` degrees of freedom.

    Both quantiles come from :mod:`touchpoints.core.metrics.quantiles` (standard library
    only, tested against SciPy to 1e-13): importing SciPy would cost a command a quarter of
    a second before it does any work."""
    return t_quantile((1 + confidence) / 2, dof)


def _clean(scores: Scores) -> np.ndarray:
    """The answers as floats, missing ones (NaN) dropped. numpy is imported here, not with
    the module: the count-based estimates the command line uses need none of it."""
    import numpy as np

    values = np.asarray(scores, dtype=float)
    answered: np.ndarray = values[~np.isnan(values)]
    return answered


def nps_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    min_n: int = 30,
    clustered: ClusterSums | None = None,
) -> Estimate:
    """NPS = 100 × (promoters − detractors) / n, with its interval clipped to −100…100.

    Each answer scores +1, 0 or −1 and NPS is 100 × their mean; its variance is
    ``(p_P + p_D − (p_P − p_D)²) / n`` (Reichheld 2003; METRICS.md), which gives the Wald
    interval. Below ``min_n`` answers the Wald interval is too narrow, and the adjusted Wald
    interval is used instead (Rocks 2016, *The American Statistician*): ¾ of an answer is added
    to promoters and to detractors and 3 to n, and the interval is centred on that adjusted
    score. The value itself stays the plain NPS; ``method`` says which interval it carries
    (``wald`` or ``rocks``).

    ``clustered``: the sums by customer of the answers scored +1/0/−1
    (:mod:`~touchpoints.core.metrics.clustered`). The variance is then multiplied by the
    design effect (never below 1), so the Wald interval is the customer-clustered one.
    """
    n = promoters + passives + detractors
    if n == 0:
        return Estimate("nps", None, 0, None, None, "wald", confidence, min_n)
    value = 100 * (promoters - detractors) / n
    extra, method = (0.75, "rocks") if n < min_n else (0.0, "wald")
    p_p, p_d = promoters / n, detractors / n
    factor, effect = inflation(
        clustered.variance if clustered else None, (p_p + p_d - (p_p - p_d) ** 2) / n
    )
    size = n + 4 * extra
    p_p, p_d = (promoters + extra) / size, (detractors + extra) / size
    centre = 100 * (p_p - p_d)
    spread = max(p_p + p_d - (p_p - p_d) ** 2, 0) * factor / size
    half = z_value(confidence) * 100 * math.sqrt(spread)
    low, high = max(-100.0, centre - half), min(100.0, centre + half)
    return Estimate(
        "nps", value, n, low, high, method, confidence, min_n, *_clusters(clustered, effect)
    )


def _clusters(
    clustered: ClusterSums | None, effect: float | None
) -> tuple[float | None, int | None]:
    """What an estimate reports of its clustering: the design effect and the customers."""
    return (effect, clustered.clusters) if clustered is not None else (None, None)


def nps(scores: Scores, *, confidence: float = 0.95, min_n: int = 30) -> Estimate:
    """NPS of 0–10 answers: promoters 9–10, passives 7–8, detractors 0–6."""
    values = _clean(scores)
    promoters = int(is_promoter(values).sum())
    detractors = int(is_detractor(values).sum())
    passives = len(values) - promoters - detractors
    return nps_from_counts(promoters, passives, detractors, confidence=confidence, min_n=min_n)


def proportion_from_counts(
    successes: int,
    n: int,
    *,
    metric: str = "share",
    confidence: float = 0.95,
    min_n: int = 30,
    clustered: ClusterSums | None = None,
) -> Estimate:
    """A share in percent (0–100) with the Wilson score interval (Wilson 1927).

    ``clustered``: the sums by customer of the 0/1 answers. Wilson's interval is then taken
    at the effective sample size n / design effect (Kish 1965; Korn & Graubard 1998), which
    keeps it inside 0…100 % and exact at the edges, as the plain Wald-with-design-effect
    interval would not be."""
    if n == 0:
        return Estimate(metric, None, 0, None, None, "wilson", confidence, min_n)
    z = z_value(confidence)
    p = successes / n
    factor, effect = inflation(clustered.variance if clustered else None, p * (1 - p) / n)
    n_eff = n / factor
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / (1 + z * z / n_eff)
    # At p = 0 (or 1) the lower (upper) bound is exactly 0 (1); computed, it is off by
    # rounding (5.55e-15), which reads as "not quite zero".
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(
        metric,
        100 * p,
        n,
        100 * low,
        100 * high,
        "wilson",
        confidence,
        min_n,
        *_clusters(clustered, effect),
    )


def mean_from_moments(
    n: int,
    mean: float,
    sd: float,
    *,
    metric: str = "mean",
    confidence: float = 0.95,
    min_n: int = 30,
    scale: tuple[float, float] | None = None,
    clustered: ClusterSums | None = None,
) -> Estimate:
    """A mean with the t interval ``mean ± t(n−1) × sd / √n`` (sd with n − 1), clipped to
    the answers' ``scale`` (METRICS.md: intervals stay on the scale; ``clipped`` then says
    so). One answer has a value but no interval, and so have fewer than ``min_n`` answers
    that are all equal: their interval would be a point, claiming a certainty two equal
    answers do not give.

    ``clustered``: the sums by customer of the answers. The variance is then the clustered
    one (never below the independent one) and t has C − 1 degrees of freedom for C customers,
    as statsmodels' cluster-robust t does (Cameron & Miller 2015, §2.3)."""
    if n == 0:
        return Estimate(metric, None, 0, None, None, "t", confidence, min_n)
    extra = _clusters(clustered, None)
    if n == 1 or (sd == 0 and n < min_n):
        return Estimate(metric, mean, n, None, None, "t", confidence, min_n, *extra)
    factor, effect = inflation(clustered.variance if clustered else None, sd * sd / n)
    dof = n - 1 if clustered is None else max(clustered.clusters - 1, 1)
    half = t_value(confidence, dof) * sd * math.sqrt(factor / n)
    low, high, clipped = mean - half, mean + half, False
    if scale is not None and (low < scale[0] or high > scale[1]):
        low, high, clipped = max(low, scale[0]), min(high, scale[1]), True
    return Estimate(
        metric, mean, n, low, high, "t", confidence, min_n, *_clusters(clustered, effect), clipped
    )


def mean(
    scores: Scores, *, metric: str = "mean", confidence: float = 0.95, min_n: int = 30
) -> Estimate:
    values = _clean(scores)
    sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    mu = float(values.mean()) if len(values) else 0.0
    return mean_from_moments(len(values), mu, sd, metric=metric, confidence=confidence, min_n=min_n)


def csat(
    scores: Scores,
    *,
    scale: tuple[int, int] = (1, 5),
    top: int = 2,
    confidence: float = 0.95,
    min_n: int = 30,
) -> Estimate:
    """CSAT % = share of the top ``top`` boxes of the scale (4 or 5 on 1–5), Wilson interval."""
    values = _clean(scores)
    hits = int(is_top_box(values, scale, top).sum())
    return proportion_from_counts(
        hits, len(values), metric="csat", confidence=confidence, min_n=min_n
    )


def ces_agree(
    scores: Scores,
    *,
    scale: tuple[int, int] = (1, 7),
    direction: str = "agree",
    confidence: float = 0.95,
    min_n: int = 30,
) -> Estimate:
    """Share finding it easy: agreeing (5–7 on the CES 2.0 1–7 scale) or, on an older
    effort scale where lower is better (``direction="effort"``), the bottom two boxes."""
    values = _clean(scores)
    if direction not in ("agree", "effort"):
        raise ValueError(f"direction is 'agree' or 'effort', not {direction!r}")
    hits = int(ces_agrees(values, scale, direction).sum())
    return proportion_from_counts(
        hits, len(values), metric="ces_agree", confidence=confidence, min_n=min_n
    )
