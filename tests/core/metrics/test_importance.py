"""Relative weights (Johnson 2000) against outside references: R² of an OLS fit by statsmodels,
squared correlations for uncorrelated drivers, and Shapley (LMG) shares computed by brute force
over every subset of drivers, which relative weights approximate closely. The nearest
correlation matrix (Higham 2002) against Higham's example and statsmodels' ``corr_nearest``;
the cluster bootstrap against a brute-force loop over resampled rows."""

from __future__ import annotations

import warnings
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.correlation_tools import corr_clipped, corr_nearest
from statsmodels.tools.sm_exceptions import IterationLimitWarning

from touchpoints.core.metrics.importance import (
    nearest_correlation,
    pairwise_correlations,
    relative_weights,
    relative_weights_from_data,
)
from touchpoints.errors import ParameterError

# Three drivers whose pairwise correlations no data can give together (a~b and b~c strongly
# positive, a~c strongly negative): eigenvalues about −0.82, 0.80, 1.90, 2.12.
NOT_PSD = np.array(
    [
        [1.0, 0.9, -0.9, 0.3],
        [0.9, 1.0, 0.9, 0.3],
        [-0.9, 0.9, 1.0, 0.3],
        [0.3, 0.3, 0.3, 1.0],
    ]
)


def _sample(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    x[:, 1] += 0.5 * x[:, 0]
    x[:, 3] += 0.3 * x[:, 2]
    y = x @ np.array([0.6, 0.3, 0.2, 0.1]) + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=["wait", "staff", "price", "clean"])
    frame["nps"] = y
    return frame


def _r2(frame: pd.DataFrame, drivers: list[str]) -> float:
    if not drivers:
        return 0.0
    return float(sm.OLS(frame["nps"], sm.add_constant(frame[drivers])).fit().rsquared)


def test_weights_sum_to_the_r2_of_statsmodels_ols() -> None:
    frame = _sample()
    result = relative_weights_from_data(frame, outcome="nps")
    assert result.r2 == pytest.approx(_r2(frame, ["wait", "staff", "price", "clean"]), abs=1e-10)
    assert result.raw.sum() == pytest.approx(result.r2)
    assert result.share.sum() == pytest.approx(1.0)


def test_uncorrelated_drivers_get_their_squared_correlations() -> None:
    # By hand: with R_xx = I the weights are r_xy², here 0.5² and 0.3².
    r = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.3], [0.5, 0.3, 1.0]])
    result = relative_weights(r, names=["a", "b", "y"], outcome="y")
    assert result.raw == pytest.approx([0.25, 0.09])
    assert result.r2 == pytest.approx(0.34)


def test_close_to_shapley_lmg_computed_over_every_subset() -> None:
    frame = _sample()
    drivers = ["wait", "staff", "price", "clean"]
    p = len(drivers)
    shapley = {}
    for d in drivers:
        others = [o for o in drivers if o != d]
        total = 0.0
        for size in range(p):
            for subset in combinations(others, size):
                weight = factorial(size) * factorial(p - size - 1) / factorial(p)
                total += weight * (_r2(frame, [*subset, d]) - _r2(frame, list(subset)))
        shapley[d] = total
    result = relative_weights_from_data(frame, outcome="nps", drivers=drivers)
    for d, raw in zip(result.drivers, result.raw, strict=True):
        assert raw == pytest.approx(shapley[d], abs=0.01)
    assert sum(shapley.values()) == pytest.approx(result.r2, abs=1e-9)


def test_scaling_a_driver_changes_nothing() -> None:
    frame = _sample()
    scaled = frame.assign(wait=frame["wait"] * 10 + 3)
    a = relative_weights_from_data(frame, outcome="nps").raw
    b = relative_weights_from_data(scaled, outcome="nps").raw
    assert a == pytest.approx(b)


def test_pairwise_complete_counts_are_kept() -> None:
    frame = _sample(n=400)
    frame.loc[:99, "staff"] = np.nan  # asked of 300 respondents only
    frame.loc[350:, "nps"] = np.nan
    result = relative_weights_from_data(frame, outcome="nps")
    assert result.n == {"wait": 350, "staff": 250, "price": 350, "clean": 350}
    assert result.n_min == 250
    expected = frame.corr()  # pandas' pairwise-complete correlations
    again = relative_weights(expected, outcome="nps")
    assert result.raw == pytest.approx(again.raw)


def test_undefined_correlations_are_refused() -> None:
    r = np.array([[1.0, np.nan, 0.2], [np.nan, 1.0, 0.1], [0.2, 0.1, 1.0]])
    with pytest.raises(ValueError, match="undefined"):
        relative_weights(r, names=["a", "b", "y"], outcome="y")
    with pytest.raises(ValueError, match="outcome"):
        relative_weights(r, names=["a", "b", "y"], outcome="z")


def test_nearest_correlation_matches_higham_2002_example() -> None:
    """Higham's example: A = [[1, 1, 0], [1, 1, 1], [0, 1, 1]] (eigenvalues 1 − √2, 1, 1 + √2)
    has the nearest correlation matrix with 0.7607 next to the diagonal and 0.1573 in the
    corner; statsmodels' ``corr_nearest`` agrees."""
    a = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    found = nearest_correlation(a)
    assert found.round(4).tolist() == [
        [1.0, 0.7607, 0.1573],
        [0.7607, 1.0, 0.7607],
        [0.1573, 0.7607, 1.0],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IterationLimitWarning)  # its stop rule is strict
        assert found == pytest.approx(corr_nearest(a), abs=1e-8)


def test_nearest_correlation_matches_statsmodels_corr_nearest() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IterationLimitWarning)
        reference = corr_nearest(NOT_PSD)
    assert nearest_correlation(NOT_PSD) == pytest.approx(reference, abs=1e-8)


def test_nearest_correlation_is_a_correlation_matrix_closer_than_clipping() -> None:
    """PSD, unit diagonal, symmetric; nearer to the input in the Frobenius norm than clipping
    the eigenvalues and rescaling (statsmodels' ``corr_clipped``); a matrix that already is a
    correlation matrix comes back unchanged; a stack is repaired matrix by matrix."""
    found = nearest_correlation(NOT_PSD)
    assert np.linalg.eigvalsh(found).min() >= -1e-12
    assert np.diag(found) == pytest.approx(np.ones(4), abs=0)
    assert found == pytest.approx(found.T, abs=0)
    clipped = corr_clipped(NOT_PSD, threshold=0)
    assert np.linalg.norm(found - NOT_PSD) < np.linalg.norm(clipped - NOT_PSD) - 1e-3
    fine = np.array([[1.0, 0.4, 0.2], [0.4, 1.0, 0.5], [0.2, 0.5, 1.0]])
    assert nearest_correlation(fine) == pytest.approx(fine, abs=1e-12)
    assert nearest_correlation(found) == pytest.approx(found, abs=1e-12)
    stack = nearest_correlation(np.stack([found, NOT_PSD]))
    assert stack[1] == pytest.approx(found, abs=1e-12)


def test_nearest_correlation_warns_when_it_runs_out_of_iterations() -> None:
    with pytest.warns(RuntimeWarning, match="no convergence in 1 iterations"):
        found = nearest_correlation(NOT_PSD, max_iterations=1)
    assert np.linalg.eigvalsh(found).min() >= -1e-12  # still a correlation matrix
    assert np.diag(found) == pytest.approx(np.ones(4))


def test_a_pairwise_matrix_that_is_not_psd_is_repaired_and_says_so() -> None:
    """Drivers a, b, c and outcome y as in NOT_PSD: the weights are those of the nearest
    correlation matrix, R² = b′R_xx b on it equals Σ raw and stays below 1."""
    result = relative_weights(NOT_PSD, names=["a", "b", "c", "y"], outcome="y")
    assert result.repaired
    assert result.min_eigenvalue == pytest.approx(np.linalg.eigvalsh(NOT_PSD).min())
    used = nearest_correlation(NOT_PSD)
    again = relative_weights(used, names=["a", "b", "c", "y"], outcome="y")
    assert not again.repaired
    assert result.raw == pytest.approx(again.raw, abs=1e-9)
    rxx, rxy = used[:3, :3], used[:3, 3]
    b = np.linalg.lstsq(rxx, rxy, rcond=None)[0]
    assert result.r2 == pytest.approx(b @ rxx @ b, abs=1e-9)
    assert result.raw.sum() == pytest.approx(result.r2, abs=1e-12)
    assert 0 < result.r2 <= 1 + 1e-12  # the repaired matrix is singular: R² = 1, rounded
    assert "repaired" in repr(result)


def test_r2_is_beta_r_beta_the_sum_of_raw_weights_and_the_ols_r2_of_statsmodels() -> None:
    frame = _sample(n=500, seed=8)
    drivers = ["wait", "staff", "price", "clean"]
    result = relative_weights_from_data(frame, outcome="nps")
    r = frame.corr().to_numpy()
    b = np.linalg.solve(r[:4, :4], r[:4, 4])  # standardised coefficients
    assert result.r2 == pytest.approx(b @ r[:4, :4] @ b, abs=1e-12)
    assert result.raw.sum() == pytest.approx(result.r2, abs=1e-12)
    assert result.r2 == pytest.approx(_r2(frame, drivers), abs=1e-12)
    assert not result.repaired
    assert result.min_eigenvalue == pytest.approx(np.linalg.eigvalsh(r).min())


def test_pairwise_correlations_match_pandas() -> None:
    frame = _sample(n=200)
    frame.loc[:59, "staff"] = np.nan
    frame.loc[150:, "price"] = np.nan
    frame["flat"] = 3.0  # constant: its correlations are undefined, as in pandas
    corr, counts = pairwise_correlations(frame)
    expected = frame.corr()
    assert corr.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12, nan_ok=True)
    answered = frame.notna().astype(int)
    assert (counts == answered.T @ answered).all().all()


def test_customer_bootstrap_matches_a_brute_force_loop() -> None:
    """A hand table of 12 answers from customers k1–k5 and two answers without one (each a
    cluster of its own), 7 clusters in all; ``–`` is not answered:

        answer  customer  a  b  y
        1       k1        1  2  2
        2       k1        2  2  3
        3       k2        3  –  5
        4       k2        4  4  6
        5       k3        5  4  9
        6       k3        2  1  2
        7       k4        4  5  8
        8       –         3  3  4
        9       –         5  5  10
        10      k5        1  –  1
        11      k5        3  2  5
        12      k5        2  4  4

    The loop draws 7 clusters with replacement (the same ``integers`` draws the function
    makes with the seed), stacks all their answers, takes pandas' pairwise correlations and
    the relative-weight shares; resamples with an undefined correlation are left out. The
    percentile limits must agree."""
    table = pd.DataFrame(
        {
            "a": [1, 2, 3, 4, 5, 2, 4, 3, 5, 1, 3, 2],
            "b": [2, 2, np.nan, 4, 4, 1, 5, 3, 5, np.nan, 2, 4],
            "y": [2, 3, 5, 6, 9, 2, 8, 4, 10, 1, 5, 4],
        },
        dtype=float,
    )
    customers = ["k1", "k1", "k2", "k2", "k3", "k3", "k4", None, None, "k5", "k5", "k5"]
    result = relative_weights_from_data(
        table, outcome="y", clusters=customers, resamples=300, confidence=0.9, seed=4
    )
    cluster = [0, 0, 1, 1, 2, 2, 3, 5, 6, 4, 4, 4]  # first seen first; no customer: new ones
    draws = np.random.default_rng(4).integers(0, 7, size=(300, 7))
    shares = []
    for drawn in draws:
        rows = [i for c in drawn for i in range(12) if cluster[i] == c]
        corr = table.iloc[rows].corr()
        if corr.isna().to_numpy().any():
            continue
        shares.append(relative_weights(corr, outcome="y").share)
    low, high = np.quantile(np.array(shares), [0.05, 0.95], axis=0)
    assert result.resamples == len(shares)
    assert result.confidence == 0.9
    assert result.low == pytest.approx(low, abs=1e-10)
    assert result.high == pytest.approx(high, abs=1e-10)
    assert (result.low <= result.share).all()
    assert (result.share <= result.high).all()


def test_bootstrap_without_clusters_resamples_rows_and_a_seed_repeats() -> None:
    frame = _sample(n=300)
    each = relative_weights_from_data(frame, outcome="nps", resamples=50, seed=1)
    own = relative_weights_from_data(
        frame, outcome="nps", clusters=[f"c{i}" for i in range(300)], resamples=50, seed=1
    )
    assert each.low == pytest.approx(own.low, abs=0)
    assert each.high == pytest.approx(own.high, abs=0)
    other = relative_weights_from_data(frame, outcome="nps", resamples=50, seed=2)
    assert each.low is not None
    assert other.low is not None
    assert not np.allclose(each.low, other.low)
    assert relative_weights_from_data(frame, outcome="nps").low is None
    with pytest.raises(ParameterError, match="resamples"):
        relative_weights_from_data(frame, outcome="nps", resamples=-1)
