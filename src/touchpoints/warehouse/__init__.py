"""The warehouse: DuckDB file, versioned schema, Ibis for reads."""

from __future__ import annotations

from touchpoints.warehouse.connection import Warehouse
from touchpoints.warehouse.migrations import LATEST, migrate

__all__ = ["LATEST", "Warehouse", "migrate"]
