"""Kaplan–Meier medians of times that may not have ended yet (open tickets).

A ticket still open at the report time has taken *at least* as long as it has been open: its
time is right-censored. The median of the closed tickets alone leaves out exactly the slow
ones and flatters the figure. The Kaplan–Meier estimator (Kaplan & Meier 1958, JASA 53:457)
keeps them: S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ / nᵢ), with dᵢ the tickets that ended
at tᵢ and nᵢ those still at risk just before it (a ticket censored at tᵢ is still at risk
then). The median is the smallest t with S(t) ≤ ½, as ``lifelines`` reports it
(``KaplanMeierFitter.median_survival_time_``); when S never falls to ½ there is none.

>>> kaplan_meier_median([0.5, 2.0, 10.0], [1, 0, 1], [0, 1, 0])
10.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kaplan_meier_median(
    times: Sequence[float], ended: Sequence[int], censored: Sequence[int]
) -> float | None:
    """The median time from counts per distinct time: ``ended[i]`` items ended and
    ``censored[i]`` were still open at ``times[i]`` (as an engine's GROUP BY gives them)."""
    t = np.asarray(times, dtype=float)
    d = np.asarray(ended, dtype=float)
    c = np.asarray(censored, dtype=float)
    order = np.argsort(t, kind="stable")
    t, d, c = t[order], d[order], c[order]
    # One row per distinct time: the same time may come in several rows (priorities, periods).
    t, first = np.unique(t, return_index=True)
    d, c = np.add.reduceat(d, first), np.add.reduceat(c, first)
    at_risk = (d + c)[::-1].cumsum()[::-1]  # still open just before each time
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(np.where(d > 0, 1.0 - d / at_risk, 1.0))
    below = np.flatnonzero((d > 0) & (survival <= 0.5 + 1e-12))
    return float(t[below[0]]) if below.size else None
