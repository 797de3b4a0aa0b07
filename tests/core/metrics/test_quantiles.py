"""The pure-Python quantiles against scipy.special, published t tables and closed forms.

Published tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2): t_{0.975,10} = 2.228139,
t_{0.975,1} = 12.706205, t_{0.995,30} = 2.749996, t_{0.95,5} = 2.015048, t_{0.975,2} = 4.302653,
t_{0.99,20} = 2.527977, t_{0.975,120} = 1.979930.
"""

from __future__ import annotations

import ast
import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from touchpoints.core.metrics import quantiles
from touchpoints.core.metrics.quantiles import normal_quantile, t_cdf, t_quantile

DOFS = [1, 1.5, 2, 2.7, 3, 5, 9.3, 29, 30, 100, 1000, 12345.6, 1e6, 1e8]
PS = [0.5, 0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995, 0.025, 0.0005]
T_GRID = np.linspace(-50.0, 50.0, 2001)


def _close(ours: float, reference: float, rel: float, near_zero: float) -> bool:
    return abs(ours - reference) <= max(rel * abs(reference), near_zero)


@pytest.mark.parametrize(
    ("p", "dof", "expected"),
    [
        (0.975, 10, 2.228139),
        (0.975, 1, 12.706205),
        (0.995, 30, 2.749996),
        (0.95, 5, 2.015048),
        (0.975, 2, 4.302653),
        (0.99, 20, 2.527977),
        (0.975, 120, 1.979930),
    ],
)
def test_t_quantile_matches_published_tables(p: float, dof: float, expected: float) -> None:
    assert round(t_quantile(p, dof), 6) == expected
    assert round(t_quantile(1 - p, dof), 6) == -expected


@pytest.mark.parametrize("dof", DOFS)
@pytest.mark.parametrize("p", PS)
def test_t_quantile_matches_scipy_stdtrit(p: float, dof: float) -> None:
    expected = float(special.stdtrit(dof, p))
    assert _close(t_quantile(p, dof), expected, rel=1e-10, near_zero=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    p=st.floats(1e-9, 1 - 1e-9),
    dof=st.one_of(st.floats(0.5, 50.0), st.floats(50.0, 1e9)),
)
def test_t_quantile_matches_scipy_stdtrit_anywhere(p: float, dof: float) -> None:
    expected = float(special.stdtrit(dof, p))
    assert _close(t_quantile(p, dof), expected, rel=1e-9, near_zero=1e-12)


@pytest.mark.parametrize("dof", [*DOFS, 0.5, 0.75])
def test_t_cdf_matches_scipy_stdtr_on_a_grid(dof: float) -> None:
    ours = np.array([t_cdf(float(t), dof) for t in T_GRID])
    np.testing.assert_allclose(ours, special.stdtr(dof, T_GRID), rtol=0, atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(t=st.floats(-50.0, 50.0), dof=st.floats(0.5, 1e8))
def test_t_cdf_matches_scipy_stdtr_anywhere(t: float, dof: float) -> None:
    # scipy's stdtr for exactly one degree of freedom errs by up to 2e-9 for |t| < 2e-4 (its
    # result there is not 0.5 + atan(t)/π); the Cauchy test below covers that corner.
    if dof == 1.0 and abs(t) < 1e-3:
        return
    assert abs(t_cdf(t, dof) - float(special.stdtr(dof, t))) <= 1e-12


@pytest.mark.parametrize("t", [-1e6, -30.0, -1.0, -1e-3, -1e-8, -1e-300, 0.0, 1e-8, 0.5, 1e4])
def test_t_cdf_matches_the_cauchy_and_two_dof_closed_forms(t: float) -> None:
    # Written without cancellation in either tail: atan2(1, −t)/π and 1/(s·(s + |t|)), s² = 2 + t².
    assert t_cdf(t, 1.0) == pytest.approx(math.atan2(1.0, -t) / math.pi, rel=1e-14)
    s = math.sqrt(2.0 + t * t)
    two = 1.0 / (s * (s + abs(t)))
    assert t_cdf(t, 2.0) == pytest.approx(two if t < 0 else 1.0 - two, rel=1e-14)


def test_t_cdf_keeps_relative_accuracy_far_in_the_lower_tail() -> None:
    for dof, t in [(3.0, -1e5), (30.0, -40.0), (1e6, -30.0), (0.5, -1e12)]:
        assert t_cdf(t, dof) == pytest.approx(float(special.stdtr(dof, t)), rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(p=st.floats(1e-6, 1 - 1e-6), dof=st.floats(0.5, 1e6))
def test_t_cdf_inverts_t_quantile(p: float, dof: float) -> None:
    back = t_cdf(t_quantile(p, dof), dof)
    assert abs(back - p) <= 1e-12 * min(p, 1 - p) + 1e-15


@pytest.mark.parametrize("dof", [0.7, 3.0, 41.5, 1e5, 1e8])
def test_t_quantile_is_antisymmetric(dof: float) -> None:
    for p in (0.51, 0.7, 0.975, 1 - 1e-9):
        assert t_quantile(1 - p, dof) == -t_quantile(p, dof)


def test_normal_quantile_matches_scipy_ndtri() -> None:
    ps = np.concatenate([np.geomspace(1e-300, 0.5, 400), 1 - np.geomspace(1e-15, 0.5, 200)])
    for p in ps:
        assert _close(normal_quantile(float(p)), float(special.ndtri(p)), 1e-14, 1e-300)
    assert normal_quantile(0.5) == 0.0


def test_infinite_degrees_of_freedom_and_t_give_the_normal_and_the_limits() -> None:
    assert t_quantile(0.975, math.inf) == normal_quantile(0.975)
    assert t_cdf(1.3, math.inf) == pytest.approx(float(special.ndtr(1.3)), rel=1e-15)
    assert (t_cdf(-math.inf, 4.0), t_cdf(math.inf, 4.0), t_cdf(1e300, 0.5)) == (0.0, 1.0, 1.0)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_a_probability_outside_the_open_unit_interval_is_an_error(p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        t_quantile(p, 5.0)
    with pytest.raises(ValueError, match="probability"):
        normal_quantile(p)


@pytest.mark.parametrize("dof", [0.0, -1.0, math.nan, -math.inf])
def test_non_positive_or_nan_degrees_of_freedom_are_an_error(dof: float) -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.975, dof)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_cdf(1.0, dof)


def test_t_cdf_of_nan_is_an_error() -> None:
    with pytest.raises(ValueError, match="NaN"):
        t_cdf(math.nan, 3.0)


def test_the_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(inspect.getsource(quantiles))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "math", "statistics", "functools"}
