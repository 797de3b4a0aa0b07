"""Relative weights (Johnson 2000) against outside references: R² of an OLS fit by statsmodels,
squared correlations for uncorrelated drivers, and Shapley (LMG) shares computed by brute force
over every subset of drivers, which relative weights approximate closely."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from touchpoints.core.metrics.importance import relative_weights, relative_weights_from_data


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


def test_a_pairwise_matrix_that_is_not_psd_is_adjusted_and_says_so() -> None:
    r = np.array(
        [
            [1.0, 0.9, -0.9, 0.3],
            [0.9, 1.0, 0.9, 0.3],
            [-0.9, 0.9, 1.0, 0.3],
            [0.3, 0.3, 0.3, 1.0],
        ]
    )
    result = relative_weights(r, names=["a", "b", "c", "y"], outcome="y")
    assert result.adjusted
    assert np.isfinite(result.raw).all()
    assert (result.raw >= 0).all()


def test_undefined_correlations_are_refused() -> None:
    r = np.array([[1.0, np.nan, 0.2], [np.nan, 1.0, 0.1], [0.2, 0.1, 1.0]])
    with pytest.raises(ValueError, match="undefined"):
        relative_weights(r, names=["a", "b", "y"], outcome="y")
    with pytest.raises(ValueError, match="outcome"):
        relative_weights(r, names=["a", "b", "y"], outcome="z")
