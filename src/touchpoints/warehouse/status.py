"""What the warehouse holds: rows and time range per kind, quarantine size."""

from __future__ import annotations

from typing import Any

from touchpoints.ingest.kinds import KINDS
from touchpoints.workspace import Workspace


def _iso(value: Any, date_only: bool) -> str | None:
    """ISO 8601 text of a timestamp (UTC) or, for date columns, of the date alone."""
    if value is None or value != value:  # None or NaT
        return None
    text: str = value.date().isoformat() if date_only else value.isoformat()
    return text


def warehouse_status(workspace: Workspace) -> dict[str, Any]:
    """``{"kinds": {kind: {"rows", "from", "to"}}, "quarantine": {"rows", "by_kind"}}``."""
    with workspace.warehouse() as warehouse:
        con = warehouse.ibis()
        kinds: dict[str, Any] = {}
        for kind in KINDS.values():
            table = con.table(kind.table)
            ts = table[kind.time_column]
            row = table.aggregate(rows=table.count(), first=ts.min(), last=ts.max()).execute()
            first, last = row["first"].iloc[0], row["last"].iloc[0]
            date_only = kind.column(kind.time_column).role == "date"
            kinds[kind.name] = {
                "rows": int(row["rows"].iloc[0]),
                "from": _iso(first, date_only),
                "to": _iso(last, date_only),
            }
        quarantine = con.table("quarantine")
        by_kind = quarantine.group_by("kind").aggregate(rows=quarantine.count()).execute()
        per_kind = {str(k): int(n) for k, n in zip(by_kind["kind"], by_kind["rows"], strict=True)}
        ingests = int(con.table("ingests").count().execute())
    return {
        "kinds": kinds,
        "quarantine": {"rows": sum(per_kind.values()), "by_kind": per_kind},
        "ingests": ingests,
        "workspace": str(workspace.root),
    }
