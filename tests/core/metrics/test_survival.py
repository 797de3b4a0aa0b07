"""Kaplan–Meier medians against tables worked by hand and a brute-force product-limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from touchpoints.core.metrics.survival import kaplan_meier_median


def test_an_open_ticket_keeps_the_median_honest() -> None:
    """Three tickets at noon: answered after 0.5 h and 10 h, one open for 2 h.

    | t (h) | at risk | ended | censored | S(t)            |
    |-------|---------|-------|----------|-----------------|
    | 0.5   | 3       | 1     | 0        | 2/3             |
    | 2     | 2       | 0     | 1        | 2/3             |
    | 10    | 1       | 1     | 0        | 2/3 · 0 = 0     |

    Median 10 h (the first t with S ≤ ½); the closed tickets alone give 5.25 h.
    """
    assert kaplan_meier_median([0.5, 2, 10], [1, 0, 1], [0, 1, 0]) == 10.0


def test_the_median_is_where_s_first_reaches_one_half() -> None:
    """Resolved after 10 h and 24 h, one open for 2 h: S(10) = 1 · (1 − 1/2) = ½ → 10 h."""
    assert kaplan_meier_median([2, 10, 24], [0, 1, 1], [1, 0, 0]) == 10.0


def test_without_censoring_it_is_the_lower_sample_median() -> None:
    """Ended at 1, 2, 3, 4: S = ¾, ½, ¼, 0 → 2 (lifelines' convention, not the mean 2.5)."""
    assert kaplan_meier_median([3, 1, 4, 2], [1, 1, 1, 1], [0, 0, 0, 0]) == 2.0


def test_no_median_while_most_are_still_open() -> None:
    """One of three ended: S falls to ⅔ at most, so the median is not known yet."""
    assert kaplan_meier_median([1, 5, 5], [1, 0, 0], [0, 1, 1]) is None
    assert kaplan_meier_median([], [], []) is None


def test_rows_of_one_time_are_pooled() -> None:
    """Counts split over rows (priorities) give the median of the pooled counts.

    At 1: 4 at risk (the one censored at 1 still is), 1 ended: S = ¾. At 2: 2 at risk, 1
    ended: S = ¾ · ½ = ⅜ ≤ ½ → 2.
    """
    split = kaplan_meier_median([1, 1, 2, 3], [1, 0, 1, 1], [0, 1, 0, 0])
    assert split == kaplan_meier_median([1, 2, 3], [1, 1, 1], [1, 0, 0]) == 2.0


def _product_limit(items: list[tuple[int, bool]]) -> float | None:
    """The textbook estimator, one item at a time, for comparison."""
    survival = 1.0
    for time in sorted({t for t, _ in items}):
        at_risk = sum(1 for t, _ in items if t >= time)
        ended = sum(1 for t, e in items if t == time and e)
        if ended:
            survival *= 1 - ended / at_risk
            if survival <= 0.5 + 1e-12:
                return float(time)
    return None


@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), max_size=40))
def test_matches_the_product_limit_estimator(items: list[tuple[int, bool]]) -> None:
    ended = [int(e) for _, e in items]
    got = kaplan_meier_median([t for t, _ in items], ended, [1 - e for e in ended])
    assert got == _product_limit(items)
