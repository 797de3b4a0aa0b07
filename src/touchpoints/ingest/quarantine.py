"""The quarantine: what was refused, why, and a way to fix it and send it back in.

Entries keep the mapped columns under their source names, so an export opens as the source
file did and, once fixed, is ingested again with the same mapping.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from touchpoints.core.spreadsheet import safe_cell
from touchpoints.errors import ParameterError, UserInputError
from touchpoints.ingest.kinds import KINDS
from touchpoints.storage.folder import WorkspaceFolder

# The export's column that carries each entry's key, so that a fixed row clears its entry
# even when the fix changed its id (or it had none).
QUARANTINE_KEY = "_quarantine_key"


def list_quarantine(workspace: WorkspaceFolder, kind: str | None = None) -> list[dict[str, Any]]:
    """Every quarantine entry (optionally of one kind), oldest file first, by row."""
    if kind is not None and kind not in KINDS:
        raise UserInputError(f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
    with workspace.warehouse() as warehouse:
        rows = warehouse.con.execute(
            'SELECT kind, key, file, "row", data, reasons FROM quarantine '
            'WHERE ? IS NULL OR kind = ? ORDER BY ingest, "row"',
            [kind, kind],
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


def export_quarantine(workspace: WorkspaceFolder, out: Path, kind: str | None = None) -> int:
    """Write the entries as CSV (source columns, ``_quarantine_key``, ``reasons``); return
    how many."""
    entries = list_quarantine(workspace, kind)
    kinds = {e["kind"] for e in entries}
    if len(kinds) > 1:
        raise ParameterError(
            "kind",
            f"the quarantine holds several kinds ({', '.join(sorted(kinds))}): "
            "choose one with {kind}",
        )
    columns: dict[str, None] = {}
    for entry in entries:
        columns.update(dict.fromkeys(entry["data"]))
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
