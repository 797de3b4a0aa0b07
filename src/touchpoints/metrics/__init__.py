"""The metrics core: pure functions from answers (or their counts) to typed estimates.

``import touchpoints as tp``; ``tp.metrics.nps([10, 9, 3])``. Nothing here opens files or
databases: the services group in the engine and hand these functions the counts.
"""

from __future__ import annotations

from touchpoints.metrics.compare import (
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)
from touchpoints.metrics.consistency import (
    Consistency,
    consistency_from_counts,
    kruskal_from_counts,
    one_minus_cv,
)
from touchpoints.metrics.estimate import Comparison, Estimate
from touchpoints.metrics.reference import mean_against, nps_against, proportion_against
from touchpoints.metrics.relative_weights import (
    RelativeWeights,
    relative_weights,
    relative_weights_from_data,
)
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
    "Consistency",
    "Estimate",
    "RelativeWeights",
    "benjamini_hochberg",
    "ces_agree",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "consistency_from_counts",
    "csat",
    "kruskal_from_counts",
    "mean",
    "mean_against",
    "mean_from_moments",
    "nps",
    "nps_against",
    "nps_from_counts",
    "one_minus_cv",
    "proportion_against",
    "proportion_from_counts",
    "relative_weights",
    "relative_weights_from_data",
    "z_value",
]
