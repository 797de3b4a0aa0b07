"""The typed results of the metrics core: an estimate with its n and interval, a comparison."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Estimate:
    """A figure with everything needed to read it honestly.

    ``value``, ``low`` and ``high`` are ``None`` when there are no answers. A figure from fewer
    than ``min_n`` answers keeps its value and interval and is flagged ``insufficient``: pages
    grey it out rather than hide it. ``method`` names the interval (``wald``, ``rocks``,
    ``wilson``, ``t``, ``bootstrap-customers``); with the answers' customers known, the
    interval is customer-clustered and ``design_effect`` and ``clusters`` say by how much and
    over how many customers; ``clipped`` says the interval was cut at the scale's ends.
    """

    metric: str
    value: float | None
    n: int
    low: float | None
    high: float | None
    method: str
    confidence: float
    min_n: int
    design_effect: float | None = None
    clusters: int | None = None
    clipped: bool = False

    @property
    def insufficient(self) -> bool:
        return self.n < self.min_n

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "insufficient": self.insufficient}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd  # only a frame needs it: the command line starts without

        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        if self.value is None:
            return f"{self.metric}: no answers"
        flag = " (insufficient)" if self.insufficient else ""
        if self.design_effect is not None:
            flag += f", {self.clusters} customers, design effect {self.design_effect:.2f}"
        interval = (
            f" [{self.low:.1f}, {self.high:.1f}]"
            if self.low is not None and self.high is not None
            else " [no interval]"
        )
        return (
            f"{self.metric} = {self.value:.1f}{interval} "
            f"n={self.n}, {self.confidence:.0%} {self.method}{flag}"
        )


@dataclass(frozen=True)
class Comparison:
    """Group a against group b: ``difference = a − b`` with its interval and test."""

    metric: str
    a: float
    b: float
    difference: float
    low: float
    high: float
    statistic: float
    p: float
    method: str
    confidence: float
    design_effect: float | None = None

    def significant(self, alpha: float | None = None) -> bool:
        """Whether p is below ``alpha`` (default: 1 − confidence)."""
        return self.p < (1 - self.confidence if alpha is None else alpha)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd  # only a frame needs it: the command line starts without

        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        return (
            f"{self.metric}: {self.a:.2f} − {self.b:.2f} = {self.difference:.2f} "
            f"[{self.low:.2f}, {self.high:.2f}], p={self.p:.4f} ({self.method})"
        )
