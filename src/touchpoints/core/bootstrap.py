"""What a bootstrap may be asked for: shared by the CSI and the MTSI intervals.

Percentile intervals settle within a few thousand resamples (Efron & Tibshirani 1993, ch. 19:
1,000 is ample for 95 % percentile limits); far more only costs memory — each resample is a
row of counts — so an accidental ``100000000`` is refused rather than exhausting the machine.
"""

from __future__ import annotations

from touchpoints.errors import ParameterError

MAX_RESAMPLES = 100_000


def check_resamples(resamples: int) -> None:
    """Refuse a count of resamples below 0 or above :data:`MAX_RESAMPLES`.

    >>> check_resamples(1000)
    >>> check_resamples(10**8)
    Traceback (most recent call last):
      ...
    touchpoints.errors.ParameterError: resamples: takes 0 to 100,000 (got 100,000,000)
    """
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise ParameterError("resamples", f"takes 0 to {MAX_RESAMPLES:,} (got {resamples:,})")
