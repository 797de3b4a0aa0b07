"""A file as text: the shapes every reader returns, and how cells become text.

Readers of every format (``readers``, ``spreadsheets``) hand over the same things: tables of
strings named by the source headers, each record's row number as a person would find it,
and the records that could not be split into columns at all (*bad rows*, kept with their
reason so that they are quarantined rather than lost).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


@dataclass
class BadRow:
    row: int
    reason: str
    text: str = ""


@dataclass
class RawTable:
    """A file as text: ``table`` has the source headers, ``rows`` the row number of each record.

    Row numbers count the header as row 1, as a spreadsheet shows them (for JSON, the first
    record is row 1).
    """

    table: pa.Table
    rows: pa.Array
    bad_rows: list[BadRow] = field(default_factory=list)
    encoding: str | None = None

    @property
    def headers(self) -> list[str]:
        return list(self.table.column_names)

    @property
    def read(self) -> int:
        return int(self.table.num_rows) + len(self.bad_rows)


Batch = tuple[pa.Table, pa.Array]


class StartOver(Exception):
    """Raised part-way through a fast reader's batches: read the file again with ``slow``."""


@dataclass
class RawStream:
    """A file as text, a batch at a time, so that memory does not grow with the file.

    Each batch is a table named by source headers, with the row number of each record; a
    later batch may bring headers the earlier ones lacked (JSON lines). ``bad_rows`` fills as
    the batches are read. A fast reader that finds part-way that it cannot go on (JSON lines
    whose fields change type) raises :class:`StartOver`, and ``slow`` reads the file again.
    """

    batches: Iterator[Batch]
    bad_rows: list[BadRow] = field(default_factory=list)
    encoding: str | None = None
    slow: Callable[[], RawStream] | None = None

    @classmethod
    def of(cls, raw: RawTable) -> RawStream:
        """A file read whole (spreadsheets, JSON documents) as one batch."""
        return cls(iter([(raw.table, raw.rows)]), raw.bad_rows, raw.encoding)


def unique_headers(names: Sequence[object]) -> list[str]:
    """Blank headers become ``column N``; a repeated header gets `` (2)``, `` (3)``…"""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = str(raw).strip() if raw is not None else ""
        name = name or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        out.append(name)
    return out


def cell_text(value: Any) -> str | None:
    """Spreadsheet and JSON cells as the text a person sees (9.0 → "9", dates in ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
