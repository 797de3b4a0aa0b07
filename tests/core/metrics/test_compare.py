"""Comparisons against hand-computed values and against scipy/statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from touchpoints.core.metrics import (
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)

Z95 = 1.959963984540054


def test_two_nps_by_hand() -> None:
    """a: 50/30/20 of 100 → NPS 30, var 100²(0.7 − 0.09)/100 = 61;
    b: 30/30/40 of 100 → NPS −10, var 100²(0.7 − 0.01)/100 = 69; se √130."""
    result = compare_nps((50, 30, 20), (30, 30, 40))
    se = math.sqrt(61 + 69)
    assert result.difference == pytest.approx(40)
    assert result.statistic == pytest.approx(40 / se)
    assert result.p == pytest.approx(2 * stats.norm.sf(40 / se))
    assert (result.low, result.high) == (
        pytest.approx(40 - Z95 * se),
        pytest.approx(40 + Z95 * se),
    )
    assert result.significant()


def test_two_proportions_match_statsmodels() -> None:
    result = compare_proportions(45, 100, 30, 100)
    z, p = proportions_ztest([45, 30], [100, 100])
    assert result.statistic == pytest.approx(z)
    assert result.p == pytest.approx(p)
    half = Z95 * math.sqrt(0.45 * 0.55 / 100 + 0.3 * 0.7 / 100)
    assert result.difference == pytest.approx(15)
    assert result.low == pytest.approx(100 * (0.15 - half))


def test_welch_matches_scipy_on_raw_answers() -> None:
    a = np.array([4, 5, 5, 3, 4, 5, 4, 4])
    b = np.array([2, 3, 4, 3, 2, 3, 5, 2, 3, 1])
    result = compare_means((len(a), a.mean(), a.std(ddof=1)), (len(b), b.mean(), b.std(ddof=1)))
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue)
    interval = reference.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(interval.low), pytest.approx(interval.high))


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    _, expected, _, _ = multipletests(p, method="fdr_bh")
    assert benjamini_hochberg(p) == pytest.approx(expected)
    assert benjamini_hochberg([]).size == 0


def test_groups_without_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="without answers"):
        compare_nps((0, 0, 0), (1, 1, 1))
    with pytest.raises(ValueError, match="two answers"):
        compare_means((1, 4.0, 0.0), (3, 4.0, 1.0))


def test_small_sides_carry_the_adjusted_nps_variance() -> None:
    """Five promoters against five detractors: plain Wald claims zero variance (p = 0); below
    min_n each side's variance is Rocks' adjusted one, by hand."""
    plain = compare_nps((5, 0, 0), (0, 0, 5), min_n=0)
    assert plain.p == 0.0
    adjusted = compare_nps((5, 0, 0), (0, 0, 5), min_n=30)
    # each side: n' = 8, shares 5.75/8 and 0.75/8 → variance (0.8125 − 0.390625)/8 × 100²
    variance = (0.8125 - 0.390625) / 8 * 100**2
    assert adjusted.difference == 200.0
    assert adjusted.statistic == pytest.approx(200 / math.sqrt(2 * variance))
    assert adjusted.p > 0
