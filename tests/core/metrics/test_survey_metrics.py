"""Survey metrics against values computed by hand and against statsmodels' implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from touchpoints.core.metrics import (
    ces_agree,
    csat,
    mean,
    mean_from_moments,
    nps,
    nps_from_counts,
    proportion_from_counts,
)

Z95 = 1.959963984540054


def test_nps_by_hand() -> None:
    """5 promoters, 3 passives, 2 detractors: NPS 30; var (0.5 + 0.2 − 0.3²)/10 = 0.061."""
    estimate = nps_from_counts(5, 3, 2, min_n=1)
    half = Z95 * 100 * math.sqrt(0.061)
    assert estimate.value == pytest.approx(30.0)
    assert estimate.low == pytest.approx(30 - half)
    assert estimate.high == pytest.approx(30 + half)
    assert (estimate.n, estimate.method, estimate.insufficient) == (10, "wald", False)


def test_nps_from_scores_equals_from_counts() -> None:
    scores = [10, 9, 9, 10, 9, 7, 8, 8, 3, 6, np.nan]  # the NaN is non-response
    assert nps(scores, min_n=1) == nps_from_counts(5, 3, 2, min_n=1)


def test_all_promoters_zero_variance() -> None:
    estimate = nps([9, 10, 10], min_n=1)
    assert (estimate.value, estimate.low, estimate.high) == (100.0, 100.0, 100.0)


def test_interval_clipped_to_range() -> None:
    estimate = nps([10, 10, 10, 0], min_n=1)  # NPS 50, half-width above 50
    assert estimate.high == 100.0
    assert estimate.low is not None
    assert estimate.low > -100


def test_no_answers_is_null_and_small_n_is_flagged() -> None:
    empty = nps([np.nan, np.nan])
    assert (empty.value, empty.n, empty.low, empty.high) == (None, 0, None, None)
    assert empty.insufficient
    small = nps([10, 9, 2], min_n=30)
    assert small.value == pytest.approx(100 / 3)  # kept, only flagged
    assert small.insufficient


@pytest.mark.parametrize(("successes", "n"), [(8, 10), (0, 12), (12, 12), (37, 104)])
def test_wilson_matches_statsmodels(successes: int, n: int) -> None:
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    estimate = proportion_from_counts(successes, n, min_n=1)
    assert estimate.value == pytest.approx(100 * successes / n)
    assert estimate.low == pytest.approx(100 * low)
    assert estimate.high == pytest.approx(100 * high)


def test_csat_is_top_two_box() -> None:
    estimate = csat([5, 4, 4, 3, 1, np.nan], min_n=1)
    assert (estimate.value, estimate.n) == (60.0, 5)
    assert csat([9, 10, 7], scale=(1, 10), min_n=1).value == pytest.approx(200 / 3)


def test_ces_agree_and_effort_directions() -> None:
    assert ces_agree([7, 6, 5, 4, 1], min_n=1).value == 60.0  # 5–7 agree
    assert ces_agree([1, 2, 3, 5], scale=(1, 5), direction="effort", min_n=1).value == 50.0
    with pytest.raises(ValueError, match="direction"):
        ces_agree([1], direction="sideways")


def test_mean_t_interval_by_hand() -> None:
    """2, 4, 6: mean 4, sd 2, t(2, 97.5 %) = 4.302653: 4 ± 4.302653 × 2/√3."""
    estimate = mean([2, 4, 6], min_n=1)
    half = 4.302652729911275 * 2 / math.sqrt(3)
    assert estimate.value == pytest.approx(4)
    assert (estimate.low, estimate.high) == (pytest.approx(4 - half), pytest.approx(4 + half))
    assert mean_from_moments(3, 4.0, 2.0, min_n=1) == estimate


def test_a_mean_interval_stays_on_the_scale() -> None:
    """Issue 16: 1 and 4 on 1–5: mean 2.5, sd √4.5 = 2.1213, t(1, 97.5 %) = 12.706205, so
    2.5 ± 12.706205 × 2.1213 / √2 = 2.5 ± 19.06 — the unclipped interval ran from −16.6 to
    21.6. Clipped to the scale it is 1 to 5, and the method says so."""
    estimate = mean_from_moments(2, 2.5, math.sqrt(4.5), min_n=1, scale=(1, 5))
    assert (estimate.low, estimate.high) == (1.0, 5.0)
    assert estimate.method == "t"
    assert estimate.clipped
    # 30 answers, mean 4, sd 1 on 1–7: 4 ± t(29, 97.5 %) = 2.045230 × 1/√30, inside.
    inside = mean_from_moments(30, 4.0, 1.0, min_n=1, scale=(1, 7))
    assert inside.method == "t"
    assert inside.low == pytest.approx(4 - 2.045229642132703 / math.sqrt(30))


def test_equal_answers_below_min_n_have_no_interval() -> None:
    """Two answers of 4: sd 0, so the t interval is the point 4 — a certainty two answers do
    not give. Below min n it is left out; at min n and above it is kept."""
    few = mean([4, 4], min_n=30)
    assert (few.value, few.low, few.high) == (4.0, None, None)
    many = mean([4] * 30, min_n=30)
    assert (many.low, many.high) == (4.0, 4.0)


def test_wilson_bounds_are_exact_at_zero_and_one() -> None:
    """0 of 50 and 50 of 50: the bound at the edge is exactly 0 % and 100 % (it came out as
    5.55e-15 % from rounding)."""
    assert proportion_from_counts(0, 50, min_n=1).low == 0.0
    assert proportion_from_counts(50, 50, min_n=1).high == 100.0


def test_single_respondent_has_no_interval() -> None:
    estimate = mean([4], min_n=1)
    assert (estimate.value, estimate.low, estimate.high) == (4.0, None, None)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_properties(scores: list[int]) -> None:
    """NPS within −100…100 and inside its interval; the order of answers changes nothing."""
    estimate = nps(scores, min_n=1)
    assert estimate.value is not None
    assert estimate.low is not None
    assert estimate.high is not None
    assert -100 <= estimate.low <= estimate.value <= estimate.high <= 100
    assert nps(list(reversed(scores)), min_n=1) == estimate


def test_small_samples_get_the_adjusted_wald_interval_of_rocks_2016() -> None:
    """Below min_n: ¾ added to promoters and detractors, 3 to n (Rocks 2016), by hand."""
    small = nps_from_counts(5, 3, 2, min_n=30)
    # n' = 13, p_P = 5.75/13, p_D = 2.75/13, centre 23.08, var (p_P + p_D − (p_P − p_D)²)/13
    p_p, p_d = 5.75 / 13, 2.75 / 13
    half = 1.959964 * 100 * ((p_p + p_d - (p_p - p_d) ** 2) / 13) ** 0.5
    assert small.value == pytest.approx(30.0)  # the score itself is not adjusted
    assert (small.low, small.high) == (
        pytest.approx(100 * (p_p - p_d) - half, abs=1e-3),
        pytest.approx(100 * (p_p - p_d) + half, abs=1e-3),
    )
    assert small.method == "rocks"
    assert small.insufficient
    assert nps_from_counts(5, 3, 2, min_n=10).method == "wald"


def test_all_promoters_in_a_small_sample_still_have_an_interval() -> None:
    """The plain Wald interval of five promoters has zero width; the adjusted one does not."""
    assert nps_from_counts(5, 0, 0, min_n=1).low == 100.0
    adjusted = nps_from_counts(5, 0, 0, min_n=30)
    assert adjusted.value == 100.0
    assert adjusted.low is not None
    assert adjusted.low < 80
