"""Ingestion: files of the canonical kinds into the warehouse, bad rows into the quarantine."""

from __future__ import annotations

from touchpoints.ingest.kinds import KINDS, Kind
from touchpoints.ingest.pipeline import STEPS, IngestResult, ingest_file
from touchpoints.ingest.quarantine import export_quarantine, list_quarantine

__all__ = [
    "KINDS",
    "STEPS",
    "IngestResult",
    "Kind",
    "export_quarantine",
    "ingest_file",
    "list_quarantine",
]
