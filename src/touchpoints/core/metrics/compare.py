"""Is a difference real? Tests between two groups, and false-discovery control over many.

- two NPS: z on the difference, variance the sum of the two (METRICS.md);
- two proportions: the two-proportion z test (pooled variance for the test, unpooled for the
  interval of the difference);
- two means: Welch's t (unequal variances), from moments so the engine can aggregate;
- many comparisons: Benjamini–Hochberg q-values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from touchpoints.core.metrics.estimate import Comparison
from touchpoints.core.metrics.survey import z_value

Counts = tuple[int, int, int]  # promoters, passives, detractors


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


def compare_nps(a: Counts, b: Counts, *, confidence: float = 0.95, min_n: int = 30) -> Comparison:
    """NPS of group a minus group b (counts of promoters, passives, detractors); a side with
    fewer than ``min_n`` answers carries the adjusted variance (:func:`nps_moments`)."""
    nps_a, var_a, _ = nps_moments(a, min_n)
    nps_b, var_b, _ = nps_moments(b, min_n)
    difference = nps_a - nps_b
    se = math.sqrt(var_a + var_b)
    z = (
        difference / se
        if se > 0
        else (0.0 if difference == 0 else math.copysign(math.inf, difference))
    )
    half = z_value(confidence) * se
    p = float(2 * stats.norm.sf(abs(z)))
    return Comparison(
        "nps", nps_a, nps_b, difference, difference - half, difference + half, z, p, "z", confidence
    )


def compare_proportions(
    x_a: int, n_a: int, x_b: int, n_b: int, *, metric: str = "share", confidence: float = 0.95
) -> Comparison:
    """Share of a minus share of b, in percentage points."""
    if n_a == 0 or n_b == 0:
        raise ValueError("a group without answers cannot be compared")
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se_test = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    difference = p_a - p_b
    z = difference / se_test if se_test > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    half = z_value(confidence) * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return Comparison(
        metric,
        100 * p_a,
        100 * p_b,
        100 * difference,
        100 * (difference - half),
        100 * (difference + half),
        z,
        p,
        "two-proportion z",
        confidence,
    )


def compare_means(
    a: tuple[int, float, float],
    b: tuple[int, float, float],
    *,
    metric: str = "mean",
    confidence: float = 0.95,
) -> Comparison:
    """Mean of a minus mean of b by Welch's t; each group as (n, mean, sd with n − 1)."""
    (n_a, m_a, s_a), (n_b, m_b, s_b) = a, b
    if n_a < 2 or n_b < 2:
        raise ValueError("Welch's t needs at least two answers in each group")
    result = stats.ttest_ind_from_stats(m_a, s_a, n_a, m_b, s_b, n_b, equal_var=False)
    var_a, var_b = s_a**2 / n_a, s_b**2 / n_b
    se = math.sqrt(var_a + var_b)
    dof = (var_a + var_b) ** 2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1)) if se > 0 else 1.0
    half = float(stats.t.ppf((1 + confidence) / 2, dof)) * se
    difference = m_a - m_b
    return Comparison(
        metric,
        m_a,
        m_b,
        difference,
        difference - half,
        difference + half,
        float(result.statistic),
        float(result.pvalue),
        "welch t",
        confidence,
    )


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values): flag where q < the chosen rate."""
    values = np.asarray(p_values, dtype=float)
    if values.size == 0:
        return values
    return np.asarray(stats.false_discovery_control(values, method="bh"))
