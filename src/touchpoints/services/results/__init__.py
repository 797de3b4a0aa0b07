"""The typed results of the services: what every interface renders.

Each follows :mod:`touchpoints.core.result`.

Kept apart from the engine code, so a result can be built, read and rendered without it.
"""

from __future__ import annotations

from touchpoints.services.results.benchmark import BenchmarkResult
from touchpoints.services.results.changes import Change, ChangesResult
from touchpoints.services.results.index import IndexReport, IndexResult
from touchpoints.services.results.items import ItemsResult
from touchpoints.services.results.metrics import MetricsResult, MetricsRow
from touchpoints.services.results.status import CheckResult, QuarantineResult, StatusResult

__all__ = [
    "BenchmarkResult",
    "Change",
    "ChangesResult",
    "CheckResult",
    "IndexReport",
    "IndexResult",
    "ItemsResult",
    "MetricsResult",
    "MetricsRow",
    "QuarantineResult",
    "StatusResult",
]
