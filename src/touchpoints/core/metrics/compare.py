"""Is a difference real? Tests between two groups, and false-discovery control over many.

- two NPS: z on the difference, variance the sum of the two (METRICS.md);
- two proportions: the two-proportion z test (pooled variance for the test, unpooled for the
  interval of the difference);
- two means: Welch's t (unequal variances), from moments so the engine can aggregate;
- many comparisons: Benjamini–Hochberg q-values.

Given each side's sums by customer and the sums over the customers both share
(:mod:`~touchpoints.core.metrics.clustered`), each test uses the customer-clustered variance of
the difference instead, covariance of shared customers included (METRICS.md, *Inference*); its
``method`` then says ``customer-clustered`` and ``design_effect`` compares that variance with
the independent-answers one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from touchpoints.core.metrics.clustered import ClusterSums, CrossSums, difference_variance
from touchpoints.core.metrics.consistency import q_values
from touchpoints.core.metrics.estimate import Comparison
from touchpoints.core.metrics.survey import z_value

Counts = tuple[int, int, int]  # promoters, passives, detractors
# Each side's sums by customer and the sums over the customers they share.
Clustered = tuple[ClusterSums, ClusterSums, CrossSums]
CLUSTERED = ", customer-clustered"


def _clustered_variance(clustered: Clustered | None) -> float | None:
    """The clustered variance of the difference of means; ``None`` without clusters, or
    where it is undefined or zero (then the independent one is used)."""
    if clustered is None:
        return None
    variance = difference_variance(*clustered)
    return variance if variance else None


def z_test(difference: float, se: float) -> tuple[float, float]:
    """z and its two-sided p; a zero se gives z 0 for no difference, else ±∞ (p 0)."""
    if se > 0:
        z = difference / se
    else:
        z = 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return z, float(2 * stats.norm.sf(abs(z)))


def nps_moments(counts: Counts, min_n: int = 0) -> tuple[float, float, int]:
    """NPS, its variance (in NPS points squared) and n, from the three counts.

    Below ``min_n`` answers the variance is the adjusted Wald one of Rocks (2016) — ¾ added
    to promoters and detractors, 3 to n — so that a handful of identical answers does not
    claim zero variance; the NPS itself is not adjusted.
    """
    promoters, passives, detractors = counts
    n = promoters + passives + detractors
    if n == 0:
        raise ValueError("a group without answers cannot be compared")
    extra = 0.75 if n < min_n else 0.0
    size = n + 4 * extra
    p_p, p_d = (promoters + extra) / size, (detractors + extra) / size
    return 100 * (promoters - detractors) / n, 100 * 100 * (p_p + p_d - (p_p - p_d) ** 2) / size, n


def compare_nps(
    a: Counts,
    b: Counts,
    *,
    confidence: float = 0.95,
    min_n: int = 30,
    clustered: Clustered | None = None,
) -> Comparison:
    """NPS of group a minus group b (counts of promoters, passives, detractors); a side with
    fewer than ``min_n`` answers carries the adjusted variance (:func:`nps_moments`).
    ``clustered``: sums by customer of the answers scored +1/0/−1; the variance is then
    multiplied by the design effect of the difference (clustered over independent)."""
    nps_a, var_a, n_a = nps_moments(a, min_n)
    nps_b, var_b, n_b = nps_moments(b, min_n)
    difference = nps_a - nps_b
    adjusted = var_a + var_b
    variance = _clustered_variance(clustered)
    method, effect, factor = "z", None, 1.0
    independent = nps_moments(a)[1] + nps_moments(b)[1]
    if variance is not None and independent > 0:
        method, effect = "z" + CLUSTERED, variance * 100 * 100 / independent
        # Below min n a side's variance is Rocks' adjusted one, scaled by the design effect
        # (never below 1, as for an estimate); above, the clustered variance itself.
        factor = max(1.0, effect) if min(n_a, n_b) < min_n else effect
    se = math.sqrt(adjusted * factor)
    z, p = z_test(difference, se)
    half = z_value(confidence) * se
    return Comparison(
        "nps",
        nps_a,
        nps_b,
        difference,
        difference - half,
        difference + half,
        z,
        p,
        method,
        confidence,
        effect,
    )


def compare_proportions(
    x_a: int,
    n_a: int,
    x_b: int,
    n_b: int,
    *,
    metric: str = "share",
    confidence: float = 0.95,
    clustered: Clustered | None = None,
) -> Comparison:
    """Share of a minus share of b, in percentage points.

    ``clustered``: sums by customer of the 0/1 answers. The test is then the Wald z on the
    clustered variance of the difference (there is no pooled clustered variance to test
    with), and the interval uses the same variance."""
    if n_a == 0 or n_b == 0:
        raise ValueError("a group without answers cannot be compared")
    p_a, p_b = x_a / n_a, x_b / n_b
    difference = p_a - p_b
    unpooled = p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b
    variance = _clustered_variance(clustered)
    if variance is None:
        pooled = (x_a + x_b) / (n_a + n_b)
        se_test = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        z = difference / se_test if se_test > 0 else 0.0
        p = float(2 * stats.norm.sf(abs(z)))
        half = z_value(confidence) * math.sqrt(unpooled)
        method, effect = "two-proportion z", None
    else:
        z, p = z_test(difference, math.sqrt(variance))
        half = z_value(confidence) * math.sqrt(variance)
        method, effect = "z" + CLUSTERED, variance / unpooled if unpooled else None
    return Comparison(
        metric,
        100 * p_a,
        100 * p_b,
        100 * difference,
        100 * (difference - half),
        100 * (difference + half),
        z,
        p,
        method,
        confidence,
        effect,
    )


def compare_means(
    a: tuple[int, float, float],
    b: tuple[int, float, float],
    *,
    metric: str = "mean",
    confidence: float = 0.95,
    clustered: Clustered | None = None,
) -> Comparison:
    """Mean of a minus mean of b by Welch's t; each group as (n, mean, sd with n − 1).

    ``clustered``: sums by customer of the answers. The variance of the difference is then
    the clustered one, and the degrees of freedom Welch–Satterthwaite's with each side's
    clustered variance on C − 1 (its customers less one)."""
    (n_a, m_a, s_a), (n_b, m_b, s_b) = a, b
    if n_a < 2 or n_b < 2:
        raise ValueError("Welch's t needs at least two answers in each group")
    difference = m_a - m_b
    var_a, var_b = s_a**2 / n_a, s_b**2 / n_b
    variance = _clustered_variance(clustered)
    if variance is None or clustered is None:
        result = stats.ttest_ind_from_stats(m_a, s_a, n_a, m_b, s_b, n_b, equal_var=False)
        statistic, p = float(result.statistic), float(result.pvalue)
        se = math.sqrt(var_a + var_b)
        dof = (var_a + var_b) ** 2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1)) if se else 1.0
        method, effect = "welch t", None
    else:
        side_a, side_b = clustered[0], clustered[1]
        v_a, v_b = side_a.variance or var_a, side_b.variance or var_b
        c_a, c_b = max(side_a.clusters - 1, 1), max(side_b.clusters - 1, 1)
        dof = (v_a + v_b) ** 2 / (v_a**2 / c_a + v_b**2 / c_b) if v_a + v_b > 0 else 1.0
        se = math.sqrt(variance)
        statistic = difference / se
        p = float(2 * stats.t.sf(abs(statistic), dof))
        method = "welch t" + CLUSTERED
        effect = variance / (var_a + var_b) if var_a + var_b > 0 else None
    half = float(stats.t.ppf((1 + confidence) / 2, dof)) * se
    return Comparison(
        metric,
        m_a,
        m_b,
        difference,
        difference - half,
        difference + half,
        statistic,
        p,
        method,
        confidence,
        effect,
    )


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values): flag where q < the chosen rate."""
    return np.asarray(q_values(list(p_values)), dtype=float)


def _mean_effect(effects: Sequence[float | None]) -> float:
    """The groups' mean design effect, each at least 1 (an unknown one counts as 1)."""
    known = [max(1.0, e) if e is not None else 1.0 for e in effects]
    return float(np.mean(known)) if known else 1.0


def _corrected(
    statistic: float, dof: int, effects: Sequence[float | None], test: str, n: int
) -> dict[str, Any]:
    """A chi-square-distributed statistic divided by the groups' mean design effect, with
    its p-value on ``dof`` degrees of freedom."""
    effect = _mean_effect(effects)
    corrected = statistic / effect
    return {
        "statistic": corrected,
        "df": dof,
        "p": float(stats.chi2.sf(corrected, dof)),
        "method": f"{test}, Rao–Scott corrected",
        "design_effect": effect,
        "n": n,
    }


def omnibus_chi2(table: np.ndarray, effects: Sequence[float | None]) -> dict[str, Any] | None:
    """Do the groups (rows of ``table``, counts per answer kind) differ at all? Pearson's
    chi-square divided by the groups' mean design effect: Rao & Scott's (1981, *JASA* 76,
    221–230) first-order correction for clustered answers. ``None`` below two groups, or
    with an empty row or column."""
    from touchpoints.core.metrics.consistency import pearson_chi2

    found = pearson_chi2(table)
    if found is None:
        return None
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    return _corrected(found[0], dof, effects, "chi-square", int(table.sum()))


def omnibus_kruskal(
    counts: np.ndarray, values: np.ndarray, effects: Sequence[float | None]
) -> dict[str, Any] | None:
    """Do the groups' ratings differ at all? Kruskal–Wallis H from counts per rating (tie-
    corrected), divided by the groups' mean design effect as :func:`omnibus_chi2` does."""
    from touchpoints.core.metrics.consistency import kruskal_from_counts

    found = kruskal_from_counts(counts, values)
    if found is None:
        return None
    dof = int((counts.sum(axis=1) > 0).sum()) - 1
    return _corrected(found[0], dof, effects, "Kruskal–Wallis", int(counts.sum()))
