"""Cross-channel consistency: 1 − CV by hand, the tests against scipy on expanded answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from touchpoints.core.metrics.consistency import (
    consistency_from_counts,
    kruskal_from_counts,
    one_minus_cv,
    pearson_chi2,
)


def test_one_minus_cv_by_hand() -> None:
    # Scores 87.5 and 50: mean 68.75, sample sd 37.5 / √2 = 26.517, CV 0.3857.
    score, cv = one_minus_cv(np.array([87.5, 50.0]))
    assert cv == pytest.approx(0.385695, abs=1e-6)
    assert score == pytest.approx(0.614305, abs=1e-6)


def test_one_minus_cv_is_clipped_at_zero_and_needs_two_scores() -> None:
    assert one_minus_cv(np.array([1.0, 100.0]))[0] == 0.0
    assert one_minus_cv(np.array([70.0])) == (None, None)
    assert one_minus_cv(np.array([0.0, 0.0])) == (None, None)


def _expand(counts: pd.DataFrame) -> list[list[float]]:
    return [
        [float(v) for v, k in row.items() for _ in range(int(k))] for _, row in counts.iterrows()
    ]


def test_tests_match_scipy_on_the_expanded_answers() -> None:
    counts = pd.DataFrame(
        {1: [2, 9, 4], 2: [3, 8, 5], 3: [10, 12, 9], 4: [20, 6, 15], 5: [25, 3, 18]},
        index=["web", "hotline", "app"],
    )
    result = consistency_from_counts(counts, scale=(1, 5), top_from=4)
    h, p = stats.kruskal(*_expand(counts))
    assert (result.kruskal_h, result.kruskal_p) == (pytest.approx(h), pytest.approx(p))
    top = counts[[4, 5]].sum(axis=1)
    table = np.column_stack([top, counts.sum(axis=1) - top])
    expected = stats.chi2_contingency(table, correction=False)
    assert result.chi2 == pytest.approx(expected.statistic)
    assert result.chi2_p == pytest.approx(expected.pvalue)
    # web: (2 + 6 + 30 + 80 + 125) / 60 = 4.05 → (4.05 − 1) / 4 × 100 = 76.25
    assert result.scores[0] == pytest.approx(76.25)
    assert result.n == (60, 38, 51)


@settings(max_examples=60, deadline=None)
@example(rows=[[6, 13, 8, 6], [6, 13, 8, 6]])  # identical groups
@given(
    st.lists(
        st.lists(st.integers(0, 15), min_size=4, max_size=4).filter(lambda r: sum(r) > 0),
        min_size=2,
        max_size=5,
    )
)
def test_kruskal_from_counts_equals_scipy(rows: list[list[int]]) -> None:
    counts = pd.DataFrame(rows, columns=[1, 2, 3, 4])
    samples = _expand(counts)
    if len({v for s in samples for v in s}) < 2:
        assert kruskal_from_counts(counts.to_numpy(), np.array([1, 2, 3, 4])) is None
        return
    h, p = stats.kruskal(*samples)
    found = kruskal_from_counts(counts.to_numpy(), np.array([1, 2, 3, 4]))
    assert found is not None
    assert found[0] == pytest.approx(h, abs=1e-9)
    # identical groups: scipy's H rounds to just below 0 and its p is NaN; here H 0, p 1
    assert found[1] == (1.0 if np.isnan(p) else pytest.approx(p))


def test_one_channel_has_no_consistency() -> None:
    result = consistency_from_counts(
        pd.DataFrame({4: [10], 5: [3]}, index=["web"]), scale=(1, 5), top_from=4
    )
    assert result.score is None
    assert result.chi2 is None
    assert result.kruskal_p is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=4), min_size=2, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_pearson_chi2_equals_scipy(rows: list[list[int]]) -> None:
    table = np.array(rows)
    found = pearson_chi2(table)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        assert found is None
        return
    expected = stats.chi2_contingency(table, correction=False)
    assert found is not None
    assert found[0] == pytest.approx(expected.statistic)
    assert found[1] == pytest.approx(expected.pvalue)
