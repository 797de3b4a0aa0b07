"""The experience models (issue 18): pure functions from counts to typed results.

``tp.models.kano_from_counts({(1, 5): 12, (1, 3): 4})``. As in :mod:`touchpoints.core.metrics`,
the services count in the engine and hand these functions the counts.
"""

from __future__ import annotations

from touchpoints.core.models.kano import (
    CATEGORIES,
    EVALUATION,
    KanoEstimate,
    classify,
    kano_from_counts,
)

__all__ = ["CATEGORIES", "EVALUATION", "KanoEstimate", "classify", "kano_from_counts"]
