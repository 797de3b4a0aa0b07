"""The metrics core: pure functions from answers (or their counts) to typed estimates.

``import touchpoints as tp``; ``tp.metrics.nps([10, 9, 3])``. Nothing here opens files or
databases; the engine-side grouping arrives with the metrics command.
"""

from __future__ import annotations

from touchpoints.metrics.compare import (
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)
from touchpoints.metrics.estimate import Comparison, Estimate
from touchpoints.metrics.survey import (
    ces_agree,
    csat,
    mean,
    mean_from_moments,
    nps,
    nps_from_counts,
    proportion_from_counts,
    z_value,
)

__all__ = [
    "Comparison",
    "Estimate",
    "benjamini_hochberg",
    "ces_agree",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "csat",
    "mean",
    "mean_from_moments",
    "nps",
    "nps_from_counts",
    "proportion_from_counts",
    "z_value",
]
