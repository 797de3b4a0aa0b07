"""The quarantine: what was refused, why, and a way to fix it and send it back in.

Entries keep their columns under canonical names, with the values as validation left them
(identifiers pseudonymised, times as UTC instants, texts recoded and masked): an export is
ingested again with ``--kind`` alone, whatever mapping first read its rows, and one export
may hold rows that came through several mappings. Entries stored before this (by source
header) are exported under those headers, after the canonical columns: they go back with
the mapping that first read them, and any other ingest of the file leaves them as they are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from touchpoints.core.spreadsheet import safe_cell
from touchpoints.errors import ParameterError
from touchpoints.ingest.kinds import ITEM_PREFIXES, KINDS
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import lit

# The export's column that carries each entry's key, so that a fixed row clears its entry
# even when the fix changed its id (or it had none).
QUARANTINE_KEY = "_quarantine_key"


def list_quarantine(
    workspace: WorkspaceFolder,
    kind: str | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The quarantine entries (optionally of one kind), oldest file first, by row; a page of
    ``limit`` of them from ``offset`` on, so a large quarantine is read a page at a time."""
    if kind is not None and kind not in KINDS:
        raise ParameterError("kind", f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
    if (limit is not None and limit < 0) or offset < 0:
        raise ParameterError("limit" if offset >= 0 else "offset", "takes a number ≥ 0")
    where = f"WHERE kind = {lit(kind)}" if kind else ""
    page = f"LIMIT {int(limit)} " if limit is not None else ""
    with workspace.warehouse() as warehouse:
        rows = warehouse.con.execute(
            f'SELECT kind, key, file, "row", data, reasons FROM quarantine {where} '
            f'ORDER BY ingest, "row" {page}OFFSET {int(offset)}'
        ).fetchall()
    return [
        {
            "kind": k,
            "key": key,
            "file": f,
            "row": r,
            "reasons": list(reasons),
            "data": json.loads(d),
        }
        for k, key, f, r, d, reasons in rows
    ]


def _columns(entries: list[dict[str, Any]]) -> list[str]:
    """The export's data columns: the kind's own in their declared order, then items, then
    the source headers of entries stored before entries were canonical, each as first met."""
    found: dict[str, None] = {}
    for entry in entries:
        found.update(dict.fromkeys(entry["data"]))
    names = KINDS[entries[0]["kind"]].names if entries else ()
    items = [c for c in found if c not in names and c.startswith(ITEM_PREFIXES)]
    legacy = [c for c in found if c not in names and c not in items]
    return [*(n for n in names if n in found), *items, *legacy]


def export_quarantine(workspace: WorkspaceFolder, out: Path, kind: str | None = None) -> int:
    """Write the entries as CSV (canonical columns, ``_quarantine_key``, ``reasons``), ready
    to fix and ingest with ``--kind`` and no mapping; return how many."""
    entries = list_quarantine(workspace, kind)
    kinds = {e["kind"] for e in entries}
    if len(kinds) > 1:
        raise ParameterError(
            "kind",
            f"the quarantine holds several kinds ({', '.join(sorted(kinds))}): "
            "choose one with {kind}",
        )
    columns = _columns(entries)
    out.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel on a Chinese Windows then opens the file without garbling it; a value
    # a spreadsheet would run as a formula is written as text.
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*columns, QUARANTINE_KEY, "reasons"])
        for entry in entries:
            values = [entry["data"].get(c, "") for c in columns]
            cells = [*values, entry["key"], "; ".join(entry["reasons"])]
            writer.writerow([safe_cell(v) for v in cells])
    return len(entries)
