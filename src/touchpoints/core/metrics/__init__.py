"""The metrics core: pure functions from answers (or their counts) to typed estimates.

``import touchpoints as tp``; ``tp.metrics.nps([10, 9, 3])``. Nothing here opens files or
databases: the services group in the engine and hand these functions the counts. Names load
from their modules on first use, so a command that needs NPS does not import the tests'
machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from touchpoints.core.metrics.clustered import ClusterSums, CrossSums
    from touchpoints.core.metrics.compare import (
        benjamini_hochberg,
        compare_means,
        compare_nps,
        compare_proportions,
    )
    from touchpoints.core.metrics.consistency import (
        Consistency,
        Verdict,
        brown_forsythe_from_counts,
        consistency_from_counts,
        judge,
        kruskal_from_counts,
        q_values,
    )
    from touchpoints.core.metrics.estimate import Comparison, Estimate
    from touchpoints.core.metrics.importance import (
        RelativeWeights,
        nearest_correlation,
        pairwise_correlations,
        relative_weights,
        relative_weights_from_data,
    )
    from touchpoints.core.metrics.items import bottom_box, csi, csi_from_patterns, top_box
    from touchpoints.core.metrics.reference import mean_against, nps_against, proportion_against
    from touchpoints.core.metrics.survey import (
        ces_agree,
        csat,
        mean,
        mean_from_moments,
        nps,
        nps_from_counts,
        proportion_from_counts,
        z_value,
    )

_HOME = {
    "ClusterSums": "touchpoints.core.metrics.clustered",
    "CrossSums": "touchpoints.core.metrics.clustered",
    "bottom_box": "touchpoints.core.metrics.items",
    "brown_forsythe_from_counts": "touchpoints.core.metrics.consistency",
    "csi": "touchpoints.core.metrics.items",
    "csi_from_patterns": "touchpoints.core.metrics.items",
    "top_box": "touchpoints.core.metrics.items",
    "Comparison": "touchpoints.core.metrics.estimate",
    "Consistency": "touchpoints.core.metrics.consistency",
    "Estimate": "touchpoints.core.metrics.estimate",
    "RelativeWeights": "touchpoints.core.metrics.importance",
    "Verdict": "touchpoints.core.metrics.consistency",
    "benjamini_hochberg": "touchpoints.core.metrics.compare",
    "ces_agree": "touchpoints.core.metrics.survey",
    "compare_means": "touchpoints.core.metrics.compare",
    "compare_nps": "touchpoints.core.metrics.compare",
    "compare_proportions": "touchpoints.core.metrics.compare",
    "consistency_from_counts": "touchpoints.core.metrics.consistency",
    "csat": "touchpoints.core.metrics.survey",
    "judge": "touchpoints.core.metrics.consistency",
    "kruskal_from_counts": "touchpoints.core.metrics.consistency",
    "mean": "touchpoints.core.metrics.survey",
    "mean_against": "touchpoints.core.metrics.reference",
    "mean_from_moments": "touchpoints.core.metrics.survey",
    "nps": "touchpoints.core.metrics.survey",
    "nps_against": "touchpoints.core.metrics.reference",
    "nps_from_counts": "touchpoints.core.metrics.survey",
    "nearest_correlation": "touchpoints.core.metrics.importance",
    "pairwise_correlations": "touchpoints.core.metrics.importance",
    "proportion_against": "touchpoints.core.metrics.reference",
    "proportion_from_counts": "touchpoints.core.metrics.survey",
    "q_values": "touchpoints.core.metrics.consistency",
    "relative_weights": "touchpoints.core.metrics.importance",
    "relative_weights_from_data": "touchpoints.core.metrics.importance",
    "z_value": "touchpoints.core.metrics.survey",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'touchpoints.core.metrics' has no attribute {name!r}")


__all__ = [
    "ClusterSums",
    "Comparison",
    "Consistency",
    "CrossSums",
    "Estimate",
    "RelativeWeights",
    "Verdict",
    "benjamini_hochberg",
    "bottom_box",
    "brown_forsythe_from_counts",
    "ces_agree",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "consistency_from_counts",
    "csat",
    "csi",
    "csi_from_patterns",
    "judge",
    "kruskal_from_counts",
    "mean",
    "mean_against",
    "mean_from_moments",
    "nearest_correlation",
    "nps",
    "nps_against",
    "nps_from_counts",
    "pairwise_correlations",
    "proportion_against",
    "proportion_from_counts",
    "q_values",
    "relative_weights",
    "relative_weights_from_data",
    "top_box",
    "z_value",
]
