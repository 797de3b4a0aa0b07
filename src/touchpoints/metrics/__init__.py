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
    from touchpoints.metrics.importance import (
        RelativeWeights,
        relative_weights,
        relative_weights_from_data,
    )
    from touchpoints.metrics.items import bottom_box, csi, csi_from_patterns, top_box
    from touchpoints.metrics.reference import mean_against, nps_against, proportion_against
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

_HOME = {
    "bottom_box": "touchpoints.metrics.items",
    "csi": "touchpoints.metrics.items",
    "csi_from_patterns": "touchpoints.metrics.items",
    "top_box": "touchpoints.metrics.items",
    "Comparison": "touchpoints.metrics.estimate",
    "Consistency": "touchpoints.metrics.consistency",
    "Estimate": "touchpoints.metrics.estimate",
    "RelativeWeights": "touchpoints.metrics.importance",
    "benjamini_hochberg": "touchpoints.metrics.compare",
    "ces_agree": "touchpoints.metrics.survey",
    "compare_means": "touchpoints.metrics.compare",
    "compare_nps": "touchpoints.metrics.compare",
    "compare_proportions": "touchpoints.metrics.compare",
    "consistency_from_counts": "touchpoints.metrics.consistency",
    "csat": "touchpoints.metrics.survey",
    "kruskal_from_counts": "touchpoints.metrics.consistency",
    "mean": "touchpoints.metrics.survey",
    "mean_against": "touchpoints.metrics.reference",
    "mean_from_moments": "touchpoints.metrics.survey",
    "nps": "touchpoints.metrics.survey",
    "nps_against": "touchpoints.metrics.reference",
    "nps_from_counts": "touchpoints.metrics.survey",
    "one_minus_cv": "touchpoints.metrics.consistency",
    "proportion_against": "touchpoints.metrics.reference",
    "proportion_from_counts": "touchpoints.metrics.survey",
    "relative_weights": "touchpoints.metrics.importance",
    "relative_weights_from_data": "touchpoints.metrics.importance",
    "z_value": "touchpoints.metrics.survey",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'touchpoints.metrics' has no attribute {name!r}")


__all__ = [
    "Comparison",
    "Consistency",
    "Estimate",
    "RelativeWeights",
    "benjamini_hochberg",
    "bottom_box",
    "ces_agree",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "consistency_from_counts",
    "csat",
    "csi",
    "csi_from_patterns",
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
    "top_box",
    "z_value",
]
