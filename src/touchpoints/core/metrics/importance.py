"""Relative weights (Johnson 2000): how much of R² each correlated driver carries.

Ordinary regression coefficients split R² badly when drivers are correlated, which touchpoint
and attribute ratings always are. Johnson's relative weights replace the drivers X by their
closest orthogonal counterparts Z (``Z = X Λ⁻¹``, where ``Λ = R_xx^{1/2}`` is the symmetric
square root of the drivers' correlation matrix), regress the outcome on Z (``β = Λ⁻¹ r_xy``)
and share each Z's contribution back to the drivers by the squared loadings:

    ε_j = Σ_k Λ_jk² β_k²,   Σ_j ε_j = R² = b′ R_xx b,   b = R_xx⁻¹ r_xy

(Johnson 2000, *Multivariate Behavioral Research* 35(1), 1–19). The sum holds because the
columns of Λ have unit length when R_xx has a unit diagonal. Everything is computed from
correlations, so pairwise-complete correlations (each pair over the rows that answered both)
can be used where the drivers were asked of different people.

A pairwise matrix need not be positive semi-definite: it then describes no data at all, and
the R² read from it can exceed 1. It is repaired to the nearest correlation matrix in the
Frobenius norm (Higham 2002, *IMA J. Numer. Anal.* 22, 329–343) and the result says so, with
the smallest eigenvalue before the repair. Setting the negative eigenvalues to zero instead
would leave the diagonal off 1: no correlation matrix, and Σ ε_j no longer b′R_xx b. The whole
matrix, outcome included, is repaired: repairing R_xx alone can leave r_xy inconsistent with
it and R² above 1. The nearest matrix lies on the edge of the PSD matrices, so it is singular;
where its null direction involves the outcome, R² comes out as 1. From a repaired matrix, read
the shares rather than R².

Intervals resample whole clusters (customers) with all their rows, recompute the pairwise
correlations and the weights, and read percentile limits off the shares (Davison & Hinkley
1997, *Bootstrap Methods and their Application*, §3.8: resample the top level of
hierarchical data; Efron & Tibshirani 1993, ch. 13 for percentile intervals).

>>> import numpy as np
>>> r = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.3], [0.5, 0.3, 1.0]])
>>> relative_weights(r, names=["a", "b", "y"], outcome="y").raw.round(2).tolist()
[0.25, 0.09]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from touchpoints.core.bootstrap import check_resamples, check_seed

# An eigenvalue above -1e-10 is rounding, not a matrix that describes no data.
_PSD_TOLERANCE = 1e-10
# Eigenvalues of R_xx below this share of the largest count as zero in the pseudo-inverse: a
# repaired matrix lies on the edge of the PSD cone, singular up to rounding.
_RANK_TOLERANCE = 1e-12
# Floats per block of row features (32 MB), so a million customers never need gigabytes.
_BLOCK = 1 << 22


@dataclass(frozen=True)
class RelativeWeights:
    """Raw weights (summing to ``r2``), their shares of R², the n behind each driver and, when
    a bootstrap ran, percentile limits of each share.

    ``n`` counts, per driver, the rows that answered both the driver and the outcome; ``n_min``
    is the smallest n behind any correlation used (driver–driver pairs included).
    ``min_eigenvalue`` is the smallest eigenvalue of the correlation matrix (drivers and
    outcome) before any repair; ``repaired`` says it was negative and the nearest correlation
    matrix was used. ``low``/``high`` bound each share at ``confidence`` over ``resamples``
    resamples (those whose correlations were all defined and R² positive).
    """

    drivers: tuple[str, ...]
    raw: np.ndarray
    r2: float
    n: dict[str, int] = field(default_factory=dict)
    n_min: int | None = None
    repaired: bool = False
    min_eigenvalue: float | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    resamples: int = 0
    confidence: float | None = None

    @property
    def share(self) -> np.ndarray:
        """Each weight as a share of R² (sums to 1; all zero when R² is 0)."""
        return self.raw / self.r2 if self.r2 > 0 else np.zeros_like(self.raw)

    def to_frame(self) -> pd.DataFrame:
        columns: dict[str, Any] = {
            "driver": list(self.drivers),
            "raw": self.raw,
            "share": self.share,
            "n": [self.n.get(d) for d in self.drivers],
        }
        if self.low is not None and self.high is not None:
            columns |= {"low": self.low, "high": self.high}
        return pd.DataFrame(columns)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{d} {w:.3f} ({s:.0%})"
            for d, w, s in zip(self.drivers, self.raw, self.share, strict=True)
        )
        note = ", repaired to the nearest correlation matrix" if self.repaired else ""
        return f"relative weights (R² = {self.r2:.3f}{note}): {parts}"


def _psd_part(matrices: np.ndarray) -> np.ndarray:
    """Projection onto the positive semi-definite matrices: negative eigenvalues set to 0."""
    values, vectors = np.linalg.eigh(matrices)
    scaled = vectors * np.clip(values, 0.0, None)[..., None, :]
    return np.asarray(scaled @ np.swapaxes(vectors, -1, -2))


def nearest_correlation(
    matrix: np.ndarray | pd.DataFrame, *, tolerance: float = 1e-12, max_iterations: int = 10_000
) -> np.ndarray:
    """The correlation matrix nearest to a symmetric matrix in the Frobenius norm.

    Higham's (2002, *IMA J. Numer. Anal.* 22, 329–343, Algorithm 3.3) alternating projections
    onto the two closed convex sets whose intersection is the correlation matrices: the
    positive semi-definite matrices (negative eigenvalues set to 0) and the matrices with a
    unit diagonal. Plain alternation only finds *a* point of the intersection; Dykstra's
    correction (subtracting the last PSD step before projecting again) makes it the nearest.
    It stops when the two iterates agree to ``tolerance`` (relative); the last one is
    projected onto the PSD matrices and rescaled to a unit diagonal, so what comes back is a
    correlation matrix even if ``max_iterations`` ran out (with a warning). Takes a stack of
    matrices (``..., k, k``) too.

    Higham's example, whose nearest correlation matrix has 0.7607 and 0.1573 off the diagonal:

    >>> a = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    >>> nearest_correlation(a).round(4).tolist()[0]
    [1.0, 0.7607, 0.1573]
    """
    a = np.asarray(matrix, dtype=float)
    a = (a + np.swapaxes(a, -1, -2)) / 2
    diagonal = np.arange(a.shape[-1])
    y, correction = a.copy(), np.zeros_like(a)
    for _ in range(max_iterations):
        before = y - correction
        x = _psd_part(before)
        correction = x - before
        y = x.copy()
        y[..., diagonal, diagonal] = 1.0
        gap = np.linalg.norm(y - x, axis=(-2, -1)) / np.linalg.norm(y, axis=(-2, -1))
        if (gap <= tolerance).all():
            break
    else:
        warnings.warn(
            f"nearest correlation matrix: no convergence in {max_iterations} iterations",
            RuntimeWarning,
            stacklevel=2,
        )
    x = _psd_part(y)
    scale = np.sqrt(np.diagonal(x, axis1=-2, axis2=-1))
    result = x / scale[..., :, None] / scale[..., None, :]
    result = (result + np.swapaxes(result, -1, -2)) / 2
    result[..., diagonal, diagonal] = 1.0
    return np.asarray(result)


def _solve(
    matrices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw weights, R², smallest eigenvalue and whether repaired, for a stack of correlation
    matrices over the drivers and the outcome (last)."""
    lowest = np.linalg.eigvalsh(matrices)[..., 0]
    repaired = lowest < -_PSD_TOLERANCE
    used = matrices.copy()
    if repaired.any():
        used[repaired] = nearest_correlation(matrices[repaired])
    rxx, rxy = used[..., :-1, :-1], used[..., :-1, -1:]
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 0.0, None)
    kept = values > _RANK_TOLERANCE * values.max(axis=-1, keepdims=True)
    inverse = np.where(kept, 1 / np.sqrt(np.where(kept, values, 1.0)), 0.0)
    turn = np.swapaxes(vectors, -1, -2)
    root = (vectors * np.sqrt(values)[..., None, :]) @ turn
    inverse_root = (vectors * inverse[..., None, :]) @ turn
    beta = inverse_root @ rxy  # regression on the orthogonal counterparts Z
    raw = ((root**2) @ (beta**2))[..., 0]
    b = inverse_root @ beta  # standardised coefficients, R_xx⁺ r_xy
    r2 = (np.swapaxes(b, -1, -2) @ rxx @ b)[..., 0, 0]
    return raw, r2, lowest, repaired


def relative_weights(
    correlations: np.ndarray | pd.DataFrame,
    *,
    outcome: str,
    names: list[str] | None = None,
    counts: np.ndarray | pd.DataFrame | None = None,
) -> RelativeWeights:
    """Relative weights of every variable but ``outcome`` on ``outcome``, from correlations.

    ``correlations`` is the square matrix over drivers and outcome (a frame carries its own
    names). ``counts``, when given, is the matching matrix of pairwise n. Drivers whose
    correlation with the outcome is undefined (constant, or never answered together) are an
    error: the caller decides which drivers to keep.
    """
    frame = pd.DataFrame(correlations, index=names, columns=names)
    if outcome not in frame.columns:
        raise ValueError(f"outcome {outcome!r} is not in the correlation matrix")
    drivers = [c for c in frame.columns if c != outcome]
    if not drivers:
        raise ValueError("relative weights need at least one driver")
    order = [*drivers, outcome]
    matrix = frame.loc[order, order].to_numpy(dtype=float)
    if np.isnan(matrix).any():
        raise ValueError("the correlation matrix has undefined entries")
    raw, r2, lowest, repaired = _solve((matrix + matrix.T)[None] / 2)
    n: dict[str, int] = {}
    n_min = None
    if counts is not None:
        pairs = pd.DataFrame(counts, index=names, columns=names).loc[order, order].to_numpy()
        n = {d: int(pairs[i, -1]) for i, d in enumerate(drivers)}
        n_min = int(pairs.min())
    return RelativeWeights(
        tuple(drivers),
        raw[0],
        float(r2[0]),
        n,
        n_min,
        repaired=bool(repaired[0]),
        min_eigenvalue=float(lowest[0]),
    )


def _moments(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The sums Σw, Σw·x_a, Σw·x_a², Σw·x_a·x_b over the rows of ``values`` (NaN: not
    answered) that answered both a and b, once per row of ``weights`` (a weight per row of
    ``values``): shape (len(weights), 4, k, k). Entry [1, a, b] sums a over the pair; [1, b, a]
    sums b. The row features are built a block at a time, so memory stays bounded."""
    rows, k = values.shape
    seen = ~np.isnan(values)
    x = np.where(seen, values, 0.0)
    v = seen.astype(float)
    sums = np.zeros((weights.shape[0], 4 * k * k))
    step = max(1, min(rows, _BLOCK // (4 * k * k)))
    features = np.empty((step, 4, k, k))
    for start in range(0, rows, step):
        xs, vs = x[start : start + step, :, None], v[start : start + step, None, :]
        block = features[: len(xs)]
        np.multiply(vs.swapaxes(1, 2), vs, out=block[:, 0])
        np.multiply(xs, vs, out=block[:, 1])
        np.multiply(xs**2, vs, out=block[:, 2])
        np.multiply(xs, xs.swapaxes(1, 2), out=block[:, 3])
        sums += weights[:, start : start + step] @ block.reshape(len(xs), -1)
    return sums.reshape(-1, 4, k, k)


def _pearson(moments: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlations from :func:`_moments`; NaN where a pair has
    fewer than 2 rows or one side does not vary over them (on the diagonal too, as pandas)."""
    n, s, q, p = (moments[:, i] for i in range(4))
    s_t, q_t = np.swapaxes(s, -1, -2), np.swapaxes(q, -1, -2)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_a, var_b = q - s**2 / n, q_t - s_t**2 / n
        corr = (p - s * s_t / n) / np.sqrt(var_a * var_b)
    # Relative to the sum of squares: a constant side leaves rounding, not variance.
    flat = (n < 2) | (var_a <= 1e-12 * q) | (var_b <= 1e-12 * q_t)
    corr = np.where(flat, np.nan, np.clip(corr, -1.0, 1.0))
    diagonal = np.arange(corr.shape[-1])
    corr[:, diagonal, diagonal] = np.where(flat[:, diagonal, diagonal], np.nan, 1.0)
    return np.asarray(corr)


def _centred(data: pd.DataFrame) -> np.ndarray:
    """The columns as floats (NaN where missing) minus their means, which keeps the sums of
    :func:`_moments` free of cancellation."""
    values = data.to_numpy(dtype=float, na_value=np.nan)
    seen = ~np.isnan(values)
    means = np.where(seen, values, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    return np.asarray(values - means)


def pairwise_correlations(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairwise-complete Pearson correlations of the columns, and the n behind each.

    Each correlation uses the rows that answered both of its variables (as pandas'
    ``DataFrame.corr`` does); it is NaN where fewer than 2 rows did or one side is constant.
    """
    moments = _moments(_centred(data), np.ones((1, len(data))))
    names = list(data.columns)
    corr = pd.DataFrame(_pearson(moments)[0], index=names, columns=names)
    counts = pd.DataFrame(moments[0, 0].round().astype(int), index=names, columns=names)
    return corr, counts


def _cluster_codes(
    clusters: Sequence[Any] | pd.Series | np.ndarray | None, rows: int
) -> np.ndarray:
    """0-based cluster codes per row; a row without a cluster is a cluster of its own."""
    if clusters is None:
        return np.arange(rows)
    codes, _ = pd.factorize(pd.Series(clusters, dtype=object).to_numpy())
    if len(codes) != rows:
        raise ValueError(f"clusters has {len(codes)} entries for {rows} rows")
    alone = codes < 0
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(alone.sum())
    return np.asarray(codes)


def _bootstrap_shares(
    values: np.ndarray, codes: np.ndarray, resamples: int, seed: int
) -> np.ndarray:
    """Shares of R² in each cluster resample whose correlations are all defined (and R² > 0).

    A resample draws as many clusters as there are, with replacement, and weighs each row by
    how often its cluster was drawn: weighted pairwise sums equal those of the resampled rows,
    so all resamples of a block are one matrix product."""
    rng = np.random.default_rng(seed)
    groups = int(codes.max()) + 1
    batch = max(1, _BLOCK // max(len(values), groups))
    found = []
    for start in range(0, resamples, batch):
        size = min(batch, resamples - start)
        drawn = rng.integers(0, groups, size=(size, groups))
        offsets = (drawn + groups * np.arange(size)[:, None]).ravel()
        times = np.bincount(offsets, minlength=size * groups).reshape(size, groups)
        corr = _pearson(_moments(values, times[:, codes].astype(float)))
        corr = corr[~np.isnan(corr).any(axis=(-2, -1))]
        if len(corr):
            raw, r2, _, _ = _solve(corr)
            positive = r2 > 0
            found.append(raw[positive] / r2[positive, None])
    return np.concatenate(found) if found else np.empty((0, values.shape[1] - 1))


def relative_weights_from_data(
    data: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str] | None = None,
    clusters: Sequence[Any] | pd.Series | np.ndarray | None = None,
    resamples: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> RelativeWeights:
    """Relative weights from rows, on the pairwise-complete correlation matrix, with cluster
    bootstrap limits for each share when ``resamples`` > 0.

    Each correlation uses the rows that answered both of its variables, so a driver asked of
    only some respondents still counts; the n behind each correlation is kept. ``clusters``
    labels each row's cluster (its customer; a missing label is a cluster of its own; none
    given: every row is one): a resample draws clusters with all their rows, since a
    customer's answers are correlated and resampling rows would narrow the interval. The
    drivers stay those given; a resample with an undefined correlation (or R² of 0) is left
    out and ``resamples`` says how many counted.
    """
    check_resamples(resamples)
    check_seed(seed)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence})")
    columns = [*(drivers or [c for c in data.columns if c != outcome]), outcome]
    values = _centred(data[columns])
    moments = _moments(values, np.ones((1, len(values))))
    counts = moments[0, 0].round().astype(int)
    point = relative_weights(_pearson(moments)[0], names=columns, outcome=outcome, counts=counts)
    if resamples == 0:
        return point
    shares = _bootstrap_shares(values, _cluster_codes(clusters, len(values)), resamples, seed)
    alpha = 1 - confidence
    limits = (
        np.quantile(shares, [alpha / 2, 1 - alpha / 2], axis=0)
        if len(shares)
        else np.full((2, len(point.drivers)), np.nan)
    )
    return replace(
        point,
        low=limits[0],
        high=limits[1],
        resamples=len(shares),
        confidence=confidence,
    )
