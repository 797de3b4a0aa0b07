"""Cross-channel consistency: do the channels that serve one touchpoint type (or stage) serve
it alike?

The measure (METRICS.md) is the range of the channels' mean ratings m_k over the width of the
native scale [a, b]: ``consistency = 1 − (max m_k − min m_k) / (b − a)``, 1 when every channel
has the same mean, 0 when one sits at the bottom of the scale and another at the top. The
former ``1 − CV`` of 0–100 scores divided by a mean, so it moved with the scale's origin (the
same answers read 0.790 on 0–100 and 0.848 on 1–5); a range over a width does not.

A range says how far apart the channels are, not whether the gap is more than noise, nor how
alike their answers are spread. Beside it:

- location: Kruskal–Wallis H on the ratings (mid-ranks and the usual tie correction, as
  :func:`scipy.stats.kruskal`) with its effect size ε² = H / (n − 1) (Tomczak & Tomczak 2014),
  and Pearson's chi-square on top-box counts (channels × top-box yes/no, no continuity
  correction, as :func:`scipy.stats.chi2_contingency`);
- spread: the Brown–Forsythe test (Brown & Forsythe 1974), Levene's test with each channel's
  median as its centre, i.e. a one-way ANOVA of |y − median_k| (as
  :func:`scipy.stats.levene` with ``center="median"``); robust to the skewed, clipped answers
  of a rating scale, where the mean-centred test rejects too often. With it the largest and
  smallest channel SD.

The decision (:func:`judge`) is made over every group of one report at once: one
Benjamini–Hochberg (1995) family holds the Kruskal–Wallis and the Brown–Forsythe p-values of
all the groups, so reading many groups does not manufacture differences. A group **differs**
when its Kruskal–Wallis q < 1 − confidence **and** its range exceeds the practical difference
(5 % of the scale by default): with thousands of answers a tenth of a point is significant but
not worth acting on. Its **spread differs** when its Brown–Forsythe q < 1 − confidence. The
chi-square is reported, not decided on: top-box counts keep less of the ratings than their
ranks do, and deciding on the smaller of two location tests would spend the error rate twice.
(Where Kruskal–Wallis is undefined, every answer is the same value, so the chi-square is too.)

Every test works from counts per rating, so the engine sends a small table (channels ×
rating values) rather than every answer; the tests compare each with SciPy on the expanded
answers.

References: Brown, M. B. & Forsythe, A. B. (1974), Robust tests for the equality of variances,
JASA 69, 364–367. Benjamini, Y. & Hochberg, Y. (1995), Controlling the false discovery rate,
JRSS B 57, 289–300. Tomczak, M. & Tomczak, E. (2014), The need to report effect size estimates
revisited, Trends in Sport Sciences 21, 19–25.

>>> import pandas as pd
>>> counts = pd.DataFrame({1: [0, 5], 3: [10, 10], 5: [30, 5]}, index=["web", "hotline"])
>>> result = consistency_from_counts(counts, scale=(1, 5), top_from=4)
>>> result.means, result.range, result.score
((4.5, 3.0), 1.5, 0.625)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special  # chi-square and F tails only: scipy.stats takes half a second to import

from touchpoints.core.rules import rescale


@dataclass(frozen=True)
class Consistency:
    """How alike the channels of one group are, with the tests of location and spread.

    ``means`` and ``sds`` (sample SD, ``None`` below two answers) are on the native scale,
    ``scores`` the means rescaled to 0–100; ``range`` is max − min of the means and ``score``
    ``1 − range / (b − a)``, both ``None`` below two channels.
    """

    channels: tuple[str, ...]
    n: tuple[int, ...]
    means: tuple[float, ...]
    sds: tuple[float | None, ...]
    scores: tuple[float, ...]
    score: float | None
    range: float | None
    chi2: float | None
    chi2_p: float | None
    kruskal_h: float | None
    kruskal_p: float | None
    epsilon2: float | None
    brown_forsythe: float | None
    brown_forsythe_p: float | None

    @property
    def sd_max(self) -> float | None:
        known = [s for s in self.sds if s is not None]
        return max(known) if known else None

    @property
    def sd_min(self) -> float | None:
        known = [s for s in self.sds if s is not None]
        return min(known) if known else None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "channel": self.channels,
                "n": self.n,
                "mean": self.means,
                "sd": self.sds,
                "score": self.scores,
            }
        )

    def __repr__(self) -> str:
        score = "undefined" if self.score is None else f"{self.score:.3f}"
        tests = ", ".join(
            f"{name} p={p:.4g}"
            for name, p in (
                ("Kruskal–Wallis", self.kruskal_p),
                ("chi-square", self.chi2_p),
                ("Brown–Forsythe", self.brown_forsythe_p),
            )
            if p is not None
        )
        return f"consistency {score} over {len(self.channels)} channels ({tests or 'no test'})"


@dataclass(frozen=True)
class Verdict:
    """Whether one group's channels differ, judged within the family of one report.

    ``differ`` and ``spread_differs`` are ``None`` where their test is undefined.
    """

    q: float | None
    spread_q: float | None
    differ: bool | None
    spread_differs: bool | None
    practical_difference: float
    method: str


def kruskal_from_counts(counts: np.ndarray, values: np.ndarray) -> tuple[float, float] | None:
    """Kruskal–Wallis H and p from counts (groups × values), tie-corrected.

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


def brown_forsythe_from_counts(
    counts: np.ndarray, values: np.ndarray
) -> tuple[float, float] | None:
    """Brown–Forsythe W and p from counts (groups × values): the one-way ANOVA F of the
    absolute deviations from each group's median, on (groups − 1, n − groups) degrees of
    freedom. A group's median is the middle answer, or the mean of the two middle ones.

    ``None`` when fewer than two groups answered or no answer deviates from its group's
    typical deviation (within-group sum of squares 0: every group answers one value, or
    every answer is as far from its median as the others in its group).
    """
    order = np.argsort(values)
    sorted_values = np.asarray(values, dtype=float)[order]
    table = np.asarray(counts, dtype=float)[:, order]
    table = table[table.sum(axis=1) > 0]
    groups = len(table)
    n = table.sum(axis=1)
    total = n.sum()
    if groups < 2 or total <= groups:
        return None
    cumulative = np.cumsum(table, axis=1)
    lower = sorted_values[(cumulative <= ((n - 1) // 2)[:, None]).sum(axis=1)]
    upper = sorted_values[(cumulative <= (n // 2)[:, None]).sum(axis=1)]
    deviations = np.abs(sorted_values[None, :] - ((lower + upper) / 2)[:, None])
    group_means = (table * deviations).sum(axis=1) / n
    grand_mean = (table * deviations).sum() / total
    between = (n * (group_means - grand_mean) ** 2).sum()
    within = (table * (deviations - group_means[:, None]) ** 2).sum()
    if within <= 0:
        return None
    w = float((total - groups) / (groups - 1) * between / within)
    return w, float(special.fdtrc(groups - 1, total - groups, w))


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


def q_values(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (q-values) of the defined p-values, as
    :func:`scipy.stats.false_discovery_control` computes them; an undefined test (``None``)
    stays ``None`` and is not counted in the family.

    q of the i-th smallest of m p-values is ``min over j ≥ i of p_(j) × m / j``, capped at 1.
    """
    known = [i for i, p in enumerate(p_values) if p is not None]
    p = np.array([p_values[i] for i in known], dtype=float)
    order = np.argsort(p)
    scaled = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.empty_like(p)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    found: list[float | None] = [None] * len(p_values)
    for i, value in zip(known, q, strict=True):
        found[i] = float(value)
    return found


def consistency_from_counts(
    counts: pd.DataFrame, *, scale: tuple[int, int], top_from: int
) -> Consistency:
    """Consistency of the channels in ``counts`` (rows: channels; columns: rating values).

    Top-box counts answers of ``top_from`` or more; each channel's ``score`` is its mean
    rescaled to 0–100 on ``scale``, for display beside the other 0–100 scores.
    """
    table = counts.fillna(0)
    table = table.loc[table.sum(axis=1) > 0]
    values = table.columns.to_numpy(dtype=float)
    cells = table.to_numpy(dtype=float)
    n = cells.sum(axis=1)
    means = (cells @ values) / n
    squares = (cells * (values[None, :] - means[:, None]) ** 2).sum(axis=1)
    sds = tuple(
        float(np.sqrt(s / (k - 1))) if k > 1 else None for s, k in zip(squares, n, strict=True)
    )
    spread = float(means.max() - means.min()) if len(means) > 1 else None
    top = cells[:, values >= top_from].sum(axis=1)
    chi2 = pearson_chi2(np.column_stack([top, n - top]))
    kruskal = kruskal_from_counts(cells, values)
    levene = brown_forsythe_from_counts(cells, values)
    return Consistency(
        channels=tuple(str(c) for c in table.index),
        n=tuple(int(x) for x in n),
        means=tuple(float(m) for m in means),
        sds=sds,
        scores=tuple(float(s) for s in rescale(means, scale)),
        score=None if spread is None else 1 - spread / (scale[1] - scale[0]),
        range=spread,
        chi2=None if chi2 is None else chi2[0],
        chi2_p=None if chi2 is None else chi2[1],
        kruskal_h=None if kruskal is None else kruskal[0],
        kruskal_p=None if kruskal is None else kruskal[1],
        epsilon2=None if kruskal is None else kruskal[0] / (n.sum() - 1),
        brown_forsythe=None if levene is None else levene[0],
        brown_forsythe_p=None if levene is None else levene[1],
    )


def _gap(high: float | None, low: float | None) -> float:
    return 0.0 if high is None or low is None else high - low


def judge(results: Sequence[Consistency], *, confidence: float, practical: float) -> list[Verdict]:
    """Which of one report's groups differ: Benjamini–Hochberg over the Kruskal–Wallis and
    Brown–Forsythe p-values of all ``results`` together, then a group differs when its
    Kruskal–Wallis q < 1 − ``confidence`` and its range exceeds ``practical`` (in the scale's
    units, like the range); its spread differs when its Brown–Forsythe q < 1 − ``confidence``
    and its channels' largest and smallest SD are more than ``practical`` apart. The guard on
    spread is the same as on location: at thousands of answers a test finds SDs of 0.89 and
    0.92 different (scores bunching at the top of the scale narrow the spread of the better
    channels), a difference nobody would act on.
    """
    alpha = 1 - confidence
    q = q_values([r.kruskal_p for r in results] + [r.brown_forsythe_p for r in results])
    tests = sum(p is not None for p in q)
    method = (
        "1 − range of channel means / scale width; Kruskal–Wallis (location) and "
        f"Brown–Forsythe (spread), Benjamini–Hochberg q over {tests} tests; differ: "
        f"q < {alpha:.3g} and range > {practical:.3g}"
    )
    found = []
    for result, location, spread in zip(results, q[: len(results)], q[len(results) :], strict=True):
        differ = None
        if location is not None and result.range is not None:
            differ = location < alpha and result.range > practical
        found.append(
            Verdict(
                q=location,
                spread_q=spread,
                differ=differ,
                spread_differs=None
                if spread is None
                else bool(spread < alpha and _gap(result.sd_max, result.sd_min) > practical),
                practical_difference=practical,
                method=method,
            )
        )
    return found
