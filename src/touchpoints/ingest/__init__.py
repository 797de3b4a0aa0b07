"""Ingestion: files of the canonical kinds into the warehouse, bad rows into the quarantine.

Names load on first use: ``touchpoints status`` needs the kinds, not the readers (pyarrow)
and the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from touchpoints.ingest.kinds import KINDS, Kind
    from touchpoints.ingest.pipeline import STEPS, IngestResult, ingest_file
    from touchpoints.ingest.quarantine import export_quarantine, list_quarantine

_WHERE = {
    "KINDS": "kinds",
    "Kind": "kinds",
    "STEPS": "pipeline",
    "IngestResult": "pipeline",
    "ingest_file": "pipeline",
    "export_quarantine": "quarantine",
    "list_quarantine": "quarantine",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'touchpoints.ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(f"touchpoints.ingest.{_WHERE[name]}"), name)


__all__ = [
    "KINDS",
    "STEPS",
    "IngestResult",
    "Kind",
    "export_quarantine",
    "ingest_file",
    "list_quarantine",
]
