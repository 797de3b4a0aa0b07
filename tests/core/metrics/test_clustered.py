"""Customer-clustered variances against a hand table, statsmodels' cluster-robust OLS and a
brute-force cluster bootstrap (METRICS.md, *Inference*)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from touchpoints.core.metrics import (
    compare_means,
    compare_nps,
    compare_proportions,
    mean_from_moments,
    nps_from_counts,
    proportion_from_counts,
)
from touchpoints.core.metrics.clustered import ClusterSums, CrossSums, difference_variance

Z95 = 1.959963984540054

# Ten customers, 1 to 4 answers each, on a 1–5 scale; customers 0–3 also answer in group b.
SCORES = np.array([5, 5, 4, 2, 1, 2, 4, 4, 5, 3, 3, 1, 5, 4, 4, 2, 5, 5, 1, 2, 3, 4], float)
CUSTOMERS = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12, 13])


def cluster_fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> object:
    return sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def test_a_hand_table() -> None:
    """Answers 1, 1 from customer x and 0, 0 from y: mean 0.5; e_x = 2 − 0.5 × 2 = 1,
    e_y = 0 − 1 = −1; var = C/(C−1) × Σe²/n² = 2 × 2 / 16 = 0.25. Independent: s² =
    (2 − 4 × 0.25)/3 = 1/3, s²/n = 1/12; design effect 0.25 × 12 = 3."""
    sums = ClusterSums.from_scores([1, 1, 0, 0], ["x", "x", "y", "y"])
    assert (sums.n, sums.clusters, sums.ss, sums.sn, sums.nn) == (4, 2, 4.0, 4.0, 8.0)
    assert sums.variance == pytest.approx(0.25)
    assert sums.design_effect == pytest.approx(3.0)


def test_the_variance_of_a_mean_is_statsmodels_cluster_robust_one() -> None:
    fit = cluster_fit(SCORES, np.ones(len(SCORES)), CUSTOMERS)
    sums = ClusterSums.from_scores(SCORES, CUSTOMERS)
    # K = 1: statsmodels' small-sample factor G/(G−1) × (N−1)/(N−K) is G/(G−1), as ours.
    assert sums.variance == pytest.approx(fit.bse[0] ** 2, rel=1e-12)


def test_answers_that_are_their_own_clusters_have_design_effect_one() -> None:
    sums = ClusterSums.from_scores(SCORES, range(len(SCORES)))
    assert sums.design_effect == pytest.approx(1.0)
    assert sums.variance == pytest.approx(SCORES.var(ddof=1) / len(SCORES))


def test_the_variance_agrees_with_a_brute_force_cluster_bootstrap() -> None:
    """300 customers with 1 to 6 answers each, alike within a customer. Resampling the
    customers with all their answers 5,000 times, the variance of the resampled means is the
    sandwich's Σe²/n² (the bootstrap has no C/(C−1)), to the bootstrap's own noise (about
    2 % at 5,000 resamples; the mean is a ratio, which the linearisation approximates)."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 7, 300)
    customers = np.repeat(np.arange(300), sizes)
    level = rng.normal(0, 1, 300)[customers]
    scores = np.clip(np.round(3.5 + level + rng.normal(0, 1, len(customers))), 1, 5)
    sums = ClusterSums.from_scores(scores, customers)
    members = [scores[customers == c] for c in range(300)]
    means = []
    for _ in range(5_000):
        picked = np.concatenate([members[i] for i in rng.integers(0, 300, 300)])
        means.append(picked.mean())
    assert sums.variance is not None
    assert sums.design_effect is not None
    assert sums.design_effect > 1.5
    expected = sums.variance * (sums.clusters - 1) / sums.clusters
    assert np.var(means) == pytest.approx(expected, rel=0.06)


def stacked(first: slice, second: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group a: the answers in ``first``; group b: those in ``second`` (they may share
    customers). Returns y, the group dummy and the customers of the stacked answers."""
    y = np.concatenate([SCORES[first], SCORES[second]])
    dummy = np.concatenate([np.ones(len(SCORES[first])), np.zeros(len(SCORES[second]))])
    groups = np.concatenate([CUSTOMERS[first], CUSTOMERS[second]])
    return y, dummy, groups


def sides(first: slice, second: slice) -> tuple[ClusterSums, ClusterSums, CrossSums]:
    """The clustered sums of the answers in ``first`` and in ``second``, and their cross
    sums over the customers both hold."""
    return (
        ClusterSums.from_scores(SCORES[first], CUSTOMERS[first]),
        ClusterSums.from_scores(SCORES[second], CUSTOMERS[second]),
        CrossSums.from_scores(
            (SCORES[first], CUSTOMERS[first]), (SCORES[second], CUSTOMERS[second])
        ),
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [(slice(0, 12), slice(5, 22)), (slice(0, 10), slice(10, 22))],
    ids=["shared customers", "no shared customers"],
)
def test_a_difference_keeps_the_covariance_of_shared_customers(first: slice, second: slice) -> None:
    """The OLS coefficient of a group dummy is mean(a) − mean(b); its cluster-robust variance
    is ours times statsmodels' extra (N − 1)/(N − 2) for K = 2 regressors."""
    y, dummy, groups = stacked(first, second)
    fit = cluster_fit(y, np.column_stack([np.ones(len(y)), dummy]), groups)
    a, b, cross = sides(first, second)
    variance = difference_variance(a, b, cross)
    assert variance is not None
    n = len(y)
    assert variance * (n - 1) / (n - 2) == pytest.approx(fit.bse[1] ** 2, rel=1e-12)
    assert fit.params[1] == pytest.approx(a.mean - b.mean)


def test_no_shared_customers_is_the_same_as_none_shared() -> None:
    a = ClusterSums.from_scores(SCORES[:10], CUSTOMERS[:10])
    b = ClusterSums.from_scores(SCORES[10:], CUSTOMERS[10:])
    cross = CrossSums.from_scores((SCORES[:10], CUSTOMERS[:10]), (SCORES[10:], CUSTOMERS[10:]))
    assert cross == CrossSums.none_shared(a, b)


def test_a_clustered_mean_interval_is_statsmodels_cluster_t_interval() -> None:
    """statsmodels' cluster-robust t uses G − 1 degrees of freedom, as we do."""
    fit = cluster_fit(SCORES, np.ones(len(SCORES)), CUSTOMERS)
    sums = ClusterSums.from_scores(SCORES, CUSTOMERS)
    assert sums.design_effect is not None
    assert sums.design_effect > 1  # else the interval would keep the independent width
    estimate = mean_from_moments(
        len(SCORES), SCORES.mean(), SCORES.std(ddof=1), min_n=1, clustered=sums
    )
    low, high = fit.conf_int(0.05)[0]
    assert (estimate.low, estimate.high) == (pytest.approx(low), pytest.approx(high))
    assert estimate.method == "t"
    assert estimate.design_effect == pytest.approx(sums.design_effect)
    assert estimate.clusters == 14


def test_a_clustered_nps_interval_is_the_clustered_wald_one() -> None:
    """NPS of answers scored +1/0/−1 is 100 × their mean; the clustered Wald interval is
    100 × (mean ± z × the cluster-robust se), as statsmodels gives it (normal, not t)."""
    # Sorted, so that each customer's four answers are alike (a design effect above 1).
    answers = np.sort(np.array([10, 9, 9, 3, 0, 8, 10, 9, 6, 7, 2, 10, 9, 9, 5, 10] * 3, float))
    customers = np.repeat(np.arange(12), 4)
    scores = np.where(answers >= 9, 1.0, np.where(answers <= 6, -1.0, 0.0))
    fit = sm.OLS(scores, np.ones(len(scores))).fit(
        cov_type="cluster", cov_kwds={"groups": customers}
    )
    counts = int((scores == 1).sum()), int((scores == 0).sum()), int((scores == -1).sum())
    sums = ClusterSums.from_scores(scores, customers)
    estimate = nps_from_counts(*counts, min_n=1, clustered=sums)
    half = Z95 * 100 * fit.bse[0]
    assert estimate.value == pytest.approx(100 * scores.mean())
    assert (estimate.low, estimate.high) == (
        pytest.approx(100 * scores.mean() - half),
        pytest.approx(100 * scores.mean() + half),
    )
    assert estimate.method == "wald"
    assert estimate.design_effect is not None
    assert estimate.design_effect > 1


def test_a_clustered_share_takes_wilson_at_the_effective_n() -> None:
    """12 of 20 answers in the top box from 5 customers of 4 answers each, the customers
    answering 4, 4, 3, 1, 0 times in the box. p = 0.6; cluster sums 4, 4, 3, 1, 0 against
    0.6 × 4 = 2.4: e = 1.6, 1.6, 0.6, −1.4, −2.4, Σe² = 13.2; var = 5/4 × 13.2/400 = 0.04125.
    Independent p(1 − p)/n = 0.012: design effect 3.4375, effective n = 20/3.4375 = 5.8182.
    Wilson at n = 5.8182, z² = 3.8415: centre (0.6 + 3.8415/11.636)/(1 + 3.8415/5.8182) =
    0.93012/1.66025 = 0.56023, half 1.96 × √(0.24/5.8182 + 3.8415/(4 × 5.8182²))/1.66025 =
    1.96 × √0.06962/1.66025 = 0.31149: 24.87 % to 87.17 %."""
    top = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0], float)
    customers = np.repeat(np.arange(5), 4)
    sums = ClusterSums.from_scores(top, customers)
    assert sums.variance == pytest.approx(0.04125)
    estimate = proportion_from_counts(12, 20, min_n=1, clustered=sums)
    assert estimate.design_effect == pytest.approx(3.4375)
    assert estimate.low == pytest.approx(24.87, abs=0.01)
    assert estimate.high == pytest.approx(87.17, abs=0.01)
    assert estimate.method == "wilson"


def test_a_clustered_interval_is_never_narrower_than_the_independent_one() -> None:
    """Customers that each give one high and one low answer have a design effect below 1;
    the interval keeps the independent width (Korn & Graubard 1998) and reports the effect."""
    scores = np.array([5, 1] * 10, float)
    customers = np.repeat(np.arange(10), 2)
    sums = ClusterSums.from_scores(scores, customers)
    clustered = mean_from_moments(20, 3.0, scores.std(ddof=1), min_n=1, clustered=sums)
    plain = mean_from_moments(20, 3.0, scores.std(ddof=1), min_n=1)
    assert clustered.design_effect == pytest.approx(0.0)
    assert clustered.high is not None
    assert plain.high is not None
    # Same variance, but t on C − 1 = 9 degrees of freedom instead of 19: a little wider.
    assert clustered.high > plain.high


def test_clustered_comparisons_match_statsmodels() -> None:
    """Two groups sharing customers 0–3: each test's se is the clustered one (checked
    against statsmodels above); here, that the three tests use it and say so."""
    first, second = slice(0, 12), slice(5, 22)
    a, b, cross = sides(first, second)
    variance = difference_variance(a, b, cross)
    assert variance is not None
    xa, xb = SCORES[first], SCORES[second]
    means = compare_means(
        (len(xa), xa.mean(), xa.std(ddof=1)),
        (len(xb), xb.mean(), xb.std(ddof=1)),
        clustered=(a, b, cross),
    )
    assert means.statistic == pytest.approx((xa.mean() - xb.mean()) / math.sqrt(variance))
    assert means.method == "welch t, customer-clustered"
    top_a = ClusterSums.from_scores(xa >= 4, CUSTOMERS[first])
    top_b = ClusterSums.from_scores(xb >= 4, CUSTOMERS[second])
    top_cross = CrossSums.from_scores((xa >= 4, CUSTOMERS[first]), (xb >= 4, CUSTOMERS[second]))
    shares = compare_proportions(
        int((xa >= 4).sum()),
        len(xa),
        int((xb >= 4).sum()),
        len(xb),
        clustered=(top_a, top_b, top_cross),
    )
    top_variance = difference_variance(top_a, top_b, top_cross)
    assert top_variance is not None
    assert shares.high - shares.low == pytest.approx(2 * Z95 * 100 * math.sqrt(top_variance))
    assert shares.method == "z, customer-clustered"
    nps = compare_nps((6, 3, 3), (2, 4, 11), min_n=1, clustered=(a, b, cross))
    assert nps.high - nps.low == pytest.approx(2 * Z95 * 100 * math.sqrt(variance))
    assert nps.design_effect is not None
