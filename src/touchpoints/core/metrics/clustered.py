"""Customers are clusters: linearised (sandwich) variances of means from per-customer sums.

One customer answers many surveys, and their answers agree with each other more than with a
stranger's (on the demo the within-customer correlation of CSAT is about 0.2). Treating every
answer as independent then understates every variance, and turns noise into "significant"
differences. The remedy is the cluster-robust (sandwich, linearisation) variance: for a mean
ȳ of n per-answer scores in C clusters, with each cluster's residual total
``e_c = Σ_{i∈c} (yᵢ − ȳ) = s_c − ȳ n_c``,

    var(ȳ) = C / (C − 1) × Σ_c e_c² / n²

(METRICS.md, *Inference*; Liang & Zeger 1986; Cameron & Miller 2015, *J. Human Resources*
50(2), §2). It is statsmodels' ``OLS(y, 1).fit(cov_type="cluster")`` for an intercept-only
model, which the tests check. ``Σ_c e_c²`` expands to ``Σ s_c² − 2ȳ Σ s_c n_c + ȳ² Σ n_c²``,
so a group needs only n, Σy, C, Σ s_c², Σ s_c n_c and Σ n_c²: the engine sums per customer,
then per group, and ten million answers come back as a handful of numbers.

A difference of two groups that share customers (a period and the one before it, a region and
the rest) keeps their covariance through the joint totals ``e_c = e_c¹/n₁ − e_c²/n₂``; this
needs the cross sums Σ s¹s², Σ s¹n², Σ n¹s², Σ n¹n² over the customers in both
(:class:`CrossSums`). The **design effect** (Kish 1965) is the clustered variance over the
variance the same figure would have from independent answers: how many answers one
independent answer is worth.

>>> a = ClusterSums.from_scores([1, 1, 0, 0], clusters=["x", "x", "y", "y"])
>>> round(a.variance, 4), round(a.design_effect, 2)
(0.25, 3.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ClusterSums:
    """The sufficient statistics of one group's mean of per-answer scores, by cluster.

    ``n`` answers with score total ``total`` and sum of squares ``squares``, in ``clusters``
    clusters whose sums s_c and counts n_c give ``ss = Σ s_c²``, ``sn = Σ s_c n_c`` and
    ``nn = Σ n_c²``. Answers without a customer are clusters of one.
    """

    n: int
    total: float
    squares: float
    clusters: int
    ss: float
    sn: float
    nn: float

    @classmethod
    def from_scores(cls, scores: Sequence[float] | np.ndarray, clusters: Sequence[Any]) -> Self:
        """From raw answers and the cluster of each (for notebooks and tests; the services
        sum in the engine). Missing scores (NaN) are not answers. numpy is imported here:
        the command line's estimates need none of it."""
        import numpy as np

        values = np.asarray(scores, dtype=float)
        keys = np.asarray(clusters, dtype=object)
        answered = ~np.isnan(values)
        values, keys = values[answered], keys[answered]
        _, which = np.unique(keys.astype(str), return_inverse=True)
        sums = np.bincount(which, weights=values)
        counts = np.bincount(which).astype(float)
        return cls(
            n=len(values),
            total=float(values.sum()),
            squares=float((values**2).sum()),
            clusters=len(sums),
            ss=float((sums**2).sum()),
            sn=float((sums * counts).sum()),
            nn=float((counts**2).sum()),
        )

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def residual_squares(self) -> float:
        """``Σ_c e_c²``, never below 0 (it is a sum of squares; rounding can dip under)."""
        m = self.mean
        return max(self.ss - 2 * m * self.sn + m * m * self.nn, 0.0)

    @property
    def variance(self) -> float | None:
        """The clustered variance of the mean; ``None`` with fewer than two clusters."""
        if self.n == 0 or self.clusters < 2:
            return None
        return self.clusters / (self.clusters - 1) * self.residual_squares / self.n**2

    @property
    def independent_variance(self) -> float | None:
        """``s² / n`` with the sample variance s² (n − 1): the variance of the mean were the
        answers independent."""
        if self.n < 2:
            return None
        spread = max(self.squares - self.total * self.total / self.n, 0.0) / (self.n - 1)
        return spread / self.n

    @property
    def design_effect(self) -> float | None:
        """Clustered over independent variance; ``None`` where either is undefined or the
        answers do not vary (0/0: nothing to inflate)."""
        clustered, independent = self.variance, self.independent_variance
        if clustered is None or not independent:
            return None
        return clustered / independent


@dataclass(frozen=True)
class CrossSums:
    """Sums over the customers two groups share: ``Σ s¹_c s²_c``, ``Σ s¹_c n²_c``,
    ``Σ n¹_c s²_c``, ``Σ n¹_c n²_c``; and ``clusters``, the customers in either group."""

    s1s2: float
    s1n2: float
    n1s2: float
    n1n2: float
    clusters: int

    @classmethod
    def none_shared(cls, a: ClusterSums, b: ClusterSums) -> Self:
        """Two groups with no customer in common (their clusters add up)."""
        return cls(0.0, 0.0, 0.0, 0.0, a.clusters + b.clusters)

    @classmethod
    def from_scores(
        cls,
        a: tuple[Sequence[float] | np.ndarray, Sequence[Any]],
        b: tuple[Sequence[float] | np.ndarray, Sequence[Any]],
    ) -> Self:
        """From the raw answers and clusters of both groups (for notebooks and tests)."""
        import numpy as np

        sides = []
        for scores, clusters in (a, b):
            values = np.asarray(scores, dtype=float)
            keep = ~np.isnan(values)
            totals: dict[str, list[float]] = {}
            keys = np.asarray(clusters, dtype=object)[keep]
            for value, key in zip(values[keep], keys, strict=True):
                entry = totals.setdefault(str(key), [0.0, 0.0])
                entry[0] += value
                entry[1] += 1
            sides.append(totals)
        first, second = sides
        shared = first.keys() & second.keys()
        return cls(
            s1s2=sum(first[c][0] * second[c][0] for c in shared),
            s1n2=sum(first[c][0] * second[c][1] for c in shared),
            n1s2=sum(first[c][1] * second[c][0] for c in shared),
            n1n2=sum(first[c][1] * second[c][1] for c in shared),
            clusters=len(first.keys() | second.keys()),
        )


def inflation(variance: float | None, independent: float) -> tuple[float, float | None]:
    """The factor an interval's independent-answers variance is multiplied by, and the
    design effect to report: ``(max(1, deff), deff)``.

    The interval never gets narrower than the independent one: with few customers the sandwich
    estimate is itself noisy, and a negative within-customer correlation of satisfaction is not
    plausible (Korn & Graubard 1998, *Survey Methodology* 24(2): effective n truncated at n).
    The design effect itself is reported as measured. Without clustered sums (``None``), or
    answers that do not vary, the factor is 1."""
    if variance is None or independent <= 0:
        return 1.0, None
    effect = variance / independent
    return max(1.0, effect), effect


def difference_variance(a: ClusterSums, b: ClusterSums, cross: CrossSums) -> float | None:
    """The clustered variance of ``mean(a) − mean(b)``, with joint cluster totals
    ``e_c = e_c¹/n₁ − e_c²/n₂`` over the customers of both (METRICS.md):

        C/(C − 1) × [Σ(e¹)²/n₁² + Σ(e²)²/n₂² − 2 Σ e¹e² / (n₁ n₂)],

    ``Σ e¹e² = Σ s¹s² − ȳ² Σ s¹n² − ȳ¹ Σ n¹s² + ȳ¹ȳ² Σ n¹n²``. ``None`` with fewer than two
    clusters in all."""
    if a.n == 0 or b.n == 0 or cross.clusters < 2:
        return None
    m1, m2 = a.mean, b.mean
    shared = cross.s1s2 - m2 * cross.s1n2 - m1 * cross.n1s2 + m1 * m2 * cross.n1n2
    total = a.residual_squares / a.n**2 + b.residual_squares / b.n**2 - 2 * shared / (a.n * b.n)
    return cross.clusters / (cross.clusters - 1) * max(total, 0.0)
