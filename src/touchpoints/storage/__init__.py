"""The warehouse: the storage contract, its DuckDB implementation, the versioned schema."""

from __future__ import annotations

from touchpoints.storage.contract import Store
from touchpoints.storage.migrations import LATEST, migrate
from touchpoints.storage.warehouse import Warehouse

__all__ = ["LATEST", "Store", "Warehouse", "migrate"]
