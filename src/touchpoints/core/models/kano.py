"""KANO categories from functional and dysfunctional answers (Kano et al. 1984; Berger et al.
1993, *Center for Quality Management Journal* 2(4)).

Each attribute is asked twice — how one feels if it is present (functional) and if it is
absent (dysfunctional) — with the answers 1 like, 2 must-be, 3 neutral, 4 live-with,
5 dislike. The evaluation table (METRICS.md, *Models*) turns a pair into a category: A
attractive, O one-dimensional, M must-be, I indifferent, R reverse, Q questionable.

An attribute's category is the most frequent of A, O, M and I; ties go M > O > A > I (a
must-be unmet hurts most, so it is named first). R and Q are counted and reported, and an
attribute whose most frequent answer is R or Q is flagged: the question was probably
misunderstood. Category strength = share of the attribute's category − the largest share of
the other five (negative when R or Q outnumber it). Satisfaction coefficients (Berger et al. 1993):
``Better = (A + O) / (A + O + M + I)``, ``Worse = −(O + M) / (A + O + M + I)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from touchpoints.errors import ParameterError

CATEGORIES = ("A", "O", "M", "I", "R", "Q")
# Ties between the four named categories go to the first of these.
TIE_ORDER = ("M", "O", "A", "I")
_ROWS = {
    1: ("Q", "A", "A", "A", "O"),
    2: ("R", "I", "I", "I", "M"),
    3: ("R", "I", "I", "I", "M"),
    4: ("R", "I", "I", "I", "M"),
    5: ("R", "R", "R", "R", "Q"),
}
# (functional, dysfunctional) → category.
EVALUATION: dict[tuple[int, int], str] = {
    (f, d): row[d - 1] for f, row in _ROWS.items() for d in range(1, 6)
}


def classify(functional: int, dysfunctional: int) -> str:
    """The category of one pair of answers.

    >>> classify(1, 5), classify(1, 3), classify(3, 5), classify(3, 3), classify(5, 1)
    ('O', 'A', 'M', 'I', 'R')
    """
    try:
        return EVALUATION[(functional, dysfunctional)]
    except KeyError:
        raise ParameterError(
            "answers", f"KANO answers are 1–5, got ({functional}, {dysfunctional})"
        ) from None


@dataclass(frozen=True)
class KanoEstimate:
    """One attribute's KANO result: its category, the coefficients and the counts."""

    category: str
    better: float | None
    worse: float | None
    strength: float | None
    counts: dict[str, int]
    n: int
    flagged: bool

    @property
    def shares(self) -> dict[str, float]:
        return {c: (k / self.n if self.n else 0.0) for c, k in self.counts.items()}


def kano_from_counts(pairs: Mapping[tuple[int, int], int]) -> KanoEstimate:
    """An attribute's category, Better, Worse and strength from the counts of its
    (functional, dysfunctional) answer pairs.

    A hand-worked example: 10 answers — (1, 5) ×4 → O, (1, 3) ×3 → A, (3, 5) ×2 → M,
    (5, 1) ×1 → R. Counts O 4, A 3, M 2, I 0, R 1, Q 0; category O; strength
    (4 − 3) / 10 = 0.1; Better = (3 + 4) / (3 + 4 + 2 + 0) = 7/9; Worse = −(4 + 2) / 9.

    >>> found = kano_from_counts({(1, 5): 4, (1, 3): 3, (3, 5): 2, (5, 1): 1})
    >>> found.category, found.n, round(found.strength, 3)
    ('O', 10, 0.1)
    >>> round(found.better, 4), round(found.worse, 4)
    (0.7778, -0.6667)
    """
    counts = dict.fromkeys(CATEGORIES, 0)
    for pair, count in pairs.items():
        if count < 0:
            raise ParameterError("counts", f"a count is never negative, got {count}")
        counts[classify(*pair)] += int(count)
    n = sum(counts.values())
    named = sum(counts[c] for c in TIE_ORDER)
    if not n:
        return KanoEstimate("—", None, None, None, counts, 0, False)
    top = max(TIE_ORDER, key=lambda c: (counts[c], -TIE_ORDER.index(c)))
    second = max(counts[c] for c in CATEGORIES if c != top)
    flagged = max(counts["R"], counts["Q"]) > counts[top]
    better = (counts["A"] + counts["O"]) / named if named else None
    worse = -(counts["O"] + counts["M"]) / named if named else None
    return KanoEstimate(
        category=top if named else "—",
        better=better,
        worse=worse,
        strength=(counts[top] - second) / n,
        counts=counts,
        n=n,
        flagged=flagged,
    )
