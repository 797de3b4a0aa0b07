"""Our figure against a fixed reference: by hand, and against statsmodels and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from touchpoints.core.metrics.reference import mean_against, nps_against, proportion_against


def test_nps_against_a_reference_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS 30, var (0.5 + 0.2 − 0.09)/100 = 0.0061.
    result = nps_against((50, 30, 20), 20.0)
    se = 100 * math.sqrt(0.0061)
    assert result.difference == pytest.approx(10.0)
    assert result.statistic == pytest.approx(10 / se)
    assert result.p == pytest.approx(2 * stats.norm.sf(10 / se))
    assert (result.low, result.high) == (
        pytest.approx(10 - 1.959964 * se, abs=1e-4),
        pytest.approx(10 + 1.959964 * se, abs=1e-4),
    )


def test_share_against_a_reference_matches_statsmodels_score_test() -> None:
    z, p = proportions_ztest(130, 200, value=0.6, prop_var=0.6)
    result = proportion_against(130, 200, 60.0, metric="csat")
    assert (result.statistic, result.p) == (pytest.approx(z), pytest.approx(p))
    assert (result.a, result.b, result.difference) == (65.0, 60.0, pytest.approx(5.0))
    assert result.low < 5.0 < result.high


def test_mean_against_a_reference_matches_scipy_one_sample_t() -> None:
    answers = np.array([4, 5, 3, 4, 4, 5, 2, 4, 5, 3], dtype=float)
    expected = stats.ttest_1samp(answers, 3.5)
    result = mean_against(len(answers), answers.mean(), answers.std(ddof=1), 3.5)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    ci = expected.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(ci.low - 3.5), pytest.approx(ci.high - 3.5))


def test_edge_cases() -> None:
    assert mean_against(5, 4.0, 0.0, 4.0).p == 1.0  # every answer the reference: no gap
    assert mean_against(5, 4.0, 0.0, 3.0).p == 0.0
    with pytest.raises(ValueError, match="two answers"):
        mean_against(1, 4.0, 0.0, 3.0)
    with pytest.raises(ValueError, match="strictly between"):
        proportion_against(5, 10, 100.0)
    with pytest.raises(ValueError, match="without answers"):
        proportion_against(0, 0, 50.0)
