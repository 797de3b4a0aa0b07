"""Cross-channel consistency: the range measure by hand, each test against SciPy on the
expanded answers, Benjamini–Hochberg against SciPy, and the decision rule on made-up groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from touchpoints.core.metrics.consistency import (
    brown_forsythe_from_counts,
    consistency_from_counts,
    judge,
    kruskal_from_counts,
    pearson_chi2,
    q_values,
)

rows_of_counts = st.lists(
    st.lists(st.integers(0, 15), min_size=4, max_size=4).filter(lambda r: sum(r) > 0),
    min_size=2,
    max_size=5,
)


def _expand(counts: pd.DataFrame) -> list[list[float]]:
    return [
        [float(v) for v, k in row.items() for _ in range(int(k))] for _, row in counts.iterrows()
    ]


def test_range_means_and_sds_by_hand() -> None:
    # web: ten 3s and thirty 5s, mean 4.5, squares 10 × 2.25 + 30 × 0.25 = 30 over 39;
    # hotline: five 1s, ten 3s, five 5s, mean 3, squares 5 × 4 + 5 × 4 = 40 over 19.
    counts = pd.DataFrame({1: [0, 5], 3: [10, 10], 5: [30, 5]}, index=["web", "hotline"])
    result = consistency_from_counts(counts, scale=(1, 5), top_from=4)
    assert result.means == (4.5, 3.0)
    assert result.sds == (pytest.approx(np.sqrt(30 / 39)), pytest.approx(np.sqrt(40 / 19)))
    assert (result.sd_max, result.sd_min) == (result.sds[1], result.sds[0])
    assert result.range == 1.5
    assert result.score == pytest.approx(1 - 1.5 / 4)
    assert result.scores == (87.5, 50.0)  # the 0–100 display scores
    frame = result.to_frame()
    assert list(frame.columns) == ["channel", "n", "mean", "sd", "score"]


def test_score_is_free_of_the_scales_origin_and_unit() -> None:
    # The same answers on 1–5, on 0–4 and stretched to 0–100: one consistency, one set of
    # tests. The former 1 − CV read 0.790 on 0–100 and 0.848 on 1–5 for data like these.
    counts = pd.DataFrame(
        {1: [2, 9, 4], 2: [3, 8, 5], 3: [10, 12, 9], 4: [20, 6, 15], 5: [25, 3, 18]},
        index=["web", "hotline", "app"],
    )
    on_1_5 = consistency_from_counts(counts, scale=(1, 5), top_from=4)
    on_0_4 = consistency_from_counts(
        counts.rename(columns=lambda v: v - 1), scale=(0, 4), top_from=3
    )
    on_0_100 = consistency_from_counts(
        counts.rename(columns=lambda v: 25 * (v - 1)), scale=(0, 100), top_from=75
    )
    for other in (on_0_4, on_0_100):
        assert other.score == pytest.approx(on_1_5.score)
        assert other.kruskal_h == pytest.approx(on_1_5.kruskal_h)
        assert other.brown_forsythe == pytest.approx(on_1_5.brown_forsythe)
        assert other.chi2 == pytest.approx(on_1_5.chi2)
        assert other.scores == pytest.approx(on_1_5.scores)


def test_tests_match_scipy_on_the_expanded_answers() -> None:
    counts = pd.DataFrame(
        {1: [2, 9, 4], 2: [3, 8, 5], 3: [10, 12, 9], 4: [20, 6, 15], 5: [25, 3, 18]},
        index=["web", "hotline", "app"],
    )
    result = consistency_from_counts(counts, scale=(1, 5), top_from=4)
    samples = _expand(counts)
    h, p = stats.kruskal(*samples)
    assert (result.kruskal_h, result.kruskal_p) == (pytest.approx(h), pytest.approx(p))
    # ε² = H / (n − 1), Tomczak & Tomczak (2014)
    assert result.epsilon2 == pytest.approx(h / (60 + 38 + 51 - 1))
    top = counts[[4, 5]].sum(axis=1)
    expected = stats.chi2_contingency(
        np.column_stack([top, counts.sum(axis=1) - top]), correction=False
    )
    assert result.chi2 == pytest.approx(expected.statistic)
    assert result.chi2_p == pytest.approx(expected.pvalue)
    levene = stats.levene(*samples, center="median")
    assert result.brown_forsythe == pytest.approx(levene.statistic)
    assert result.brown_forsythe_p == pytest.approx(levene.pvalue)
    assert result.sds == pytest.approx([np.std(s, ddof=1) for s in samples])
    assert result.means == pytest.approx([np.mean(s) for s in samples])
    # web: (2 + 6 + 30 + 80 + 125) / 60 = 4.05 → (4.05 − 1) / 4 × 100 = 76.25
    assert result.scores[0] == pytest.approx(76.25)
    assert result.n == (60, 38, 51)


@settings(max_examples=60, deadline=None)
@example(rows=[[6, 13, 8, 6], [6, 13, 8, 6]])  # identical groups
@given(rows_of_counts)
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


@settings(max_examples=100, deadline=None)
@example(rows=[[0, 10, 0, 0], [0, 0, 7, 0]])  # each group one value: undefined
@example(rows=[[3, 0, 0, 3], [2, 5, 1, 0], [1, 0, 0, 0]])  # even and odd n, a lone answer
@given(rows_of_counts)
def test_brown_forsythe_from_counts_equals_scipy_levene_median(rows: list[list[int]]) -> None:
    # Columns deliberately out of order: the counts are matched to their values, not places.
    values = np.array([4, 1, 3, 2])
    counts = pd.DataFrame(rows, columns=values)
    found = brown_forsythe_from_counts(counts.to_numpy(), values)
    samples = _expand(counts)
    deviations = [np.abs(np.subtract(s, np.median(s))) for s in samples]
    within = sum(((d - d.mean()) ** 2).sum() for d in deviations)
    if within == 0 or sum(map(len, samples)) <= len(samples):
        assert found is None
        return
    expected = stats.levene(*samples, center="median")
    assert found is not None
    assert found[0] == pytest.approx(expected.statistic, abs=1e-9)
    assert found[1] == pytest.approx(expected.pvalue, abs=1e-12)


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


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=30))
def test_q_values_equal_scipy_false_discovery_control(p: list[float | None]) -> None:
    found = q_values(p)
    assert [q is None for q in found] == [x is None for x in p]
    known = [x for x in p if x is not None]
    if known:
        expected = stats.false_discovery_control(known, method="bh")
        assert [q for q in found if q is not None] == pytest.approx(list(expected))


def test_one_channel_has_no_consistency() -> None:
    result = consistency_from_counts(
        pd.DataFrame({4: [10], 5: [3]}, index=["web"]), scale=(1, 5), top_from=4
    )
    assert (result.score, result.range) == (None, None)
    assert result.chi2 is None
    assert result.kruskal_p is None
    assert result.epsilon2 is None
    assert result.brown_forsythe_p is None
    assert (judge([result], confidence=0.95, practical=0.2)[0].differ) is None


def test_a_lone_answer_has_no_sd() -> None:
    result = consistency_from_counts(
        pd.DataFrame({1: [1, 10], 5: [0, 10]}, index=["web", "app"]), scale=(1, 5), top_from=4
    )
    assert result.sds == (None, pytest.approx(np.std([1] * 10 + [5] * 10, ddof=1)))
    assert result.sd_max == result.sd_min == result.sds[1]


def _two_channels(shift: int, n: int) -> pd.DataFrame:
    """Two channels of ``n`` answers each, one of them ``shift`` answers in 100 a point higher."""
    base = np.array([5, 10, 25, 35, 25]) * n // 100
    moved = base.copy()
    moved[2] -= shift * n // 100
    moved[3] += shift * n // 100
    return pd.DataFrame([base, moved], index=["web", "app"], columns=[1, 2, 3, 4, 5])


def test_a_significant_gap_smaller_than_practical_does_not_differ() -> None:
    # 20,000 answers a channel, means 3.65 and 3.70: Kruskal–Wallis p ≈ 6e-8, range 0.05 <
    # 0.2 (5 % of 1–5). A shift of 25 answers in 100 (range 0.25) differs; 1 in 100 of 200
    # answers is noise.
    small = consistency_from_counts(_two_channels(5, 20_000), scale=(1, 5), top_from=4)
    large = consistency_from_counts(_two_channels(25, 20_000), scale=(1, 5), top_from=4)
    noise = consistency_from_counts(_two_channels(1, 200), scale=(1, 5), top_from=4)
    assert small.range == pytest.approx(0.05)
    verdicts = judge([small, large, noise], confidence=0.95, practical=0.2)
    assert small.kruskal_p is not None
    assert small.kruskal_p < 1e-6
    assert [v.differ for v in verdicts] == [False, True, False]
    assert all(v.practical_difference == 0.2 for v in verdicts)
    assert "Benjamini–Hochberg q over 6 tests" in verdicts[0].method


def test_judge_adjusts_one_family_of_location_and_spread_p_values() -> None:
    tables = [
        _two_channels(25, 400),
        _two_channels(10, 400),
        pd.DataFrame({1: [20, 2], 3: [20, 36], 5: [20, 22]}, index=["web", "hotline"]),
    ]
    results = [consistency_from_counts(t, scale=(1, 5), top_from=4) for t in tables]
    verdicts = judge(results, confidence=0.95, practical=0.2)
    p = [r.kruskal_p for r in results] + [r.brown_forsythe_p for r in results]
    q = stats.false_discovery_control(p, method="bh")
    assert [v.q for v in verdicts] == pytest.approx(list(q[:3]))
    assert [v.spread_q for v in verdicts] == pytest.approx(list(q[3:]))
    assert [v.spread_differs for v in verdicts] == [
        bool(x < 0.05 and r.sd_max - r.sd_min > 0.2) for x, r in zip(q[3:], results, strict=True)
    ]
    # the first: Brown–Forsythe q ≈ 7e-5, but SDs 1.109 and 1.045 are 0.064 apart, < 0.2
    assert verdicts[0].spread_q < 0.05
    assert not verdicts[0].spread_differs
    # the third: same median, the hotline's answers bunched at it, the web's spread out
    assert verdicts[2].spread_differs
