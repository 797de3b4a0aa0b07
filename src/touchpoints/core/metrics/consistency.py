"""Cross-channel consistency: do the channels serve one touchpoint type (or stage) alike?

The house measure is ``max(0, 1 − CV)`` of the channels' 0–100 scores (CV = sample standard
deviation over the mean; METRICS.md). It says how far apart the channels are, not whether the
gap is more than noise, so it always comes with two tests: Pearson's chi-square on top-box
counts (channels × top-box yes/no) and Kruskal–Wallis on the ratings. Both work from counts
per rating, so the engine sends a small table rather than every answer; the Kruskal–Wallis
statistic uses mid-ranks and the usual tie correction, which is what
:func:`scipy.stats.kruskal` computes from the expanded answers; the chi-square is
:func:`scipy.stats.chi2_contingency`'s without continuity correction (tests compare both).

>>> import pandas as pd
>>> counts = pd.DataFrame({1: [0, 5], 3: [10, 10], 5: [30, 5]}, index=["web", "hotline"])
>>> round(consistency_from_counts(counts, scale=(1, 5), top_from=4).score, 3)
0.614
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special  # chi-square tails only: scipy.stats costs half a second to import

from touchpoints.core.rules import rescale


@dataclass(frozen=True)
class Consistency:
    """The consistency of channel scores, with the tests that say whether they differ."""

    channels: tuple[str, ...]
    scores: tuple[float, ...]
    n: tuple[int, ...]
    score: float | None
    cv: float | None
    chi2: float | None
    chi2_p: float | None
    kruskal_h: float | None
    kruskal_p: float | None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"channel": self.channels, "score": self.scores, "n": self.n})

    def __repr__(self) -> str:
        score = "undefined" if self.score is None else f"{self.score:.3f}"
        tests = ", ".join(
            f"{name} p={p:.4g}"
            for name, p in (("chi-square", self.chi2_p), ("Kruskal–Wallis", self.kruskal_p))
            if p is not None
        )
        return f"consistency {score} over {len(self.channels)} channels ({tests or 'no test'})"


def one_minus_cv(scores: np.ndarray) -> tuple[float | None, float | None]:
    """``(max(0, 1 − CV), CV)`` of scores; undefined below two scores or at a zero mean."""
    values = np.asarray(scores, dtype=float)
    if len(values) < 2 or values.mean() == 0:
        return None, None
    cv = float(values.std(ddof=1) / values.mean())
    return max(0.0, 1.0 - cv), cv


def kruskal_from_counts(counts: np.ndarray, values: np.ndarray) -> tuple[float, float] | None:
    """Kruskal–Wallis H and p from counts (groups × ordered values), tie-corrected.

    ``None`` when fewer than two groups answered or every answer is the same value.
    """
    table = np.asarray(counts, dtype=float)[:, np.argsort(values)]
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        return None
    ties = table.sum(axis=0)
    total = ties.sum()
    midranks = np.cumsum(ties) - (ties - 1) / 2
    rank_sums = table @ midranks
    h = 12 / (total * (total + 1)) * (rank_sums**2 / table.sum(axis=1)).sum() - 3 * (total + 1)
    correction = 1 - (ties**3 - ties).sum() / (total**3 - total)
    if correction <= 0:
        return None
    h = max(h / correction, 0.0)  # identical groups give 0, not a rounding error below it
    return float(h), float(special.chdtrc(len(table) - 1, h))


def pearson_chi2(table: np.ndarray) -> tuple[float, float] | None:
    """Pearson's chi-square test of independence (no continuity correction) and its p-value;
    ``None`` when a row or column is empty (expected counts of zero)."""
    observed = np.asarray(table, dtype=float)
    rows, columns = observed.sum(axis=1), observed.sum(axis=0)
    if (rows == 0).any() or (columns == 0).any() or min(observed.shape) < 2:
        return None
    expected = np.outer(rows, columns) / observed.sum()
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return chi2, float(special.chdtrc(dof, chi2))


def consistency_from_counts(
    counts: pd.DataFrame, *, scale: tuple[int, int], top_from: int
) -> Consistency:
    """Consistency of the channels in ``counts`` (rows: channels; columns: rating values).

    Each channel's score is its mean rating rescaled to 0–100 on ``scale``; top-box counts
    answers of ``top_from`` or more.
    """
    table = counts.fillna(0)
    table = table.loc[table.sum(axis=1) > 0]
    values = table.columns.to_numpy(dtype=float)
    cells = table.to_numpy(dtype=float)
    n = cells.sum(axis=1)
    scores = rescale((cells @ values) / n, scale)
    score, cv = one_minus_cv(scores)
    top = cells[:, values >= top_from].sum(axis=1)
    chi2 = pearson_chi2(np.column_stack([top, n - top]))
    kruskal = kruskal_from_counts(cells, values)
    return Consistency(
        channels=tuple(str(c) for c in table.index),
        scores=tuple(float(s) for s in scores),
        n=tuple(int(x) for x in n),
        score=score,
        cv=cv,
        chi2=None if chi2 is None else chi2[0],
        chi2_p=None if chi2 is None else chi2[1],
        kruskal_h=None if kruskal is None else kruskal[0],
        kruskal_p=None if kruskal is None else kruskal[1],
    )
