"""Relative weights (Johnson 2000): how much of R² each correlated driver carries.

Ordinary regression coefficients split R² badly when drivers are correlated, which touchpoint
and attribute ratings always are. Johnson's relative weights replace the drivers X by their
closest orthogonal counterparts Z (``Z = X Λ⁻¹``, where ``Λ = R_xx^{1/2}`` is the symmetric
square root of the drivers' correlation matrix), regress the outcome on Z (``β = Λ⁻¹ r_xy``)
and share each Z's contribution back to the drivers by the squared loadings:

    ε_j = Σ_k Λ_jk² β_k²,   Σ_j ε_j = R²

(Johnson 2000, *Multivariate Behavioral Research* 35(1), 1–19). Everything is computed from
correlations, so the engine can send a correlation matrix instead of rows, and pairwise-
complete correlations (each pair over the rows that answered both) can be used where the
drivers were asked of different people. A pairwise matrix need not be positive
semi-definite; its negative eigenvalues are then set to zero and the result says so.

>>> import numpy as np
>>> r = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.3], [0.5, 0.3, 1.0]])
>>> relative_weights(r, names=["a", "b", "y"], outcome="y").raw.round(2).tolist()
[0.25, 0.09]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RelativeWeights:
    """Raw weights (summing to ``r2``), their shares of R² and the n behind each driver.

    ``n`` counts, per driver, the rows that answered both the driver and the outcome; ``n_min``
    is the smallest n behind any correlation used (driver–driver pairs included).
    """

    drivers: tuple[str, ...]
    raw: np.ndarray
    r2: float
    n: dict[str, int] = field(default_factory=dict)
    n_min: int | None = None
    adjusted: bool = False

    @property
    def share(self) -> np.ndarray:
        """Each weight as a share of R² (sums to 1; all zero when R² is 0)."""
        return self.raw / self.r2 if self.r2 > 0 else np.zeros_like(self.raw)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "driver": list(self.drivers),
                "raw": self.raw,
                "share": self.share,
                "n": [self.n.get(d) for d in self.drivers],
            }
        )

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{d} {w:.3f} ({s:.0%})"
            for d, w, s in zip(self.drivers, self.raw, self.share, strict=True)
        )
        note = ", pairwise matrix adjusted to PSD" if self.adjusted else ""
        return f"relative weights (R² = {self.r2:.3f}{note}): {parts}"


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
    rxx, rxy = matrix[:-1, :-1], matrix[:-1, -1]
    eigenvalues, vectors = np.linalg.eigh((rxx + rxx.T) / 2)
    adjusted = bool((eigenvalues < -1e-10).any())
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    root = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.pinv(root) @ rxy
    raw = (root**2) @ (beta**2)
    n: dict[str, int] = {}
    n_min = None
    if counts is not None:
        pairs = pd.DataFrame(counts, index=names, columns=names).loc[order, order].to_numpy()
        n = {d: int(pairs[i, -1]) for i, d in enumerate(drivers)}
        n_min = int(pairs.min())
    return RelativeWeights(tuple(drivers), raw, float(raw.sum()), n, n_min, adjusted)


def relative_weights_from_data(
    data: pd.DataFrame, *, outcome: str, drivers: Sequence[str] | None = None
) -> RelativeWeights:
    """Relative weights from rows, on the pairwise-complete correlation matrix.

    Each correlation uses the rows that answered both of its variables, so a driver asked of
    only some respondents still counts; the n behind each correlation is kept.
    """
    columns = [*(drivers or [c for c in data.columns if c != outcome]), outcome]
    values = data[columns].astype(float)
    answered = values.notna().astype(int)
    return relative_weights(values.corr(), outcome=outcome, counts=answered.T @ answered)
