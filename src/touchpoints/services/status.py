"""What a workspace holds: rows and time range per kind, the quarantine's size, the ingests.

Answered with the storage contract's cheap summaries (one small query per kind, no Ibis and
no pandas), so ``touchpoints status`` starts and answers in a fraction of a second.
"""

from __future__ import annotations

from datetime import date, datetime

from touchpoints.ingest.kinds import KINDS
from touchpoints.services.results.status import StatusResult
from touchpoints.storage.folder import WorkspaceFolder


def _iso(value: date | datetime | None, date_only: bool) -> str | None:
    """ISO 8601 text of a timestamp (UTC) or, for date columns, of the date alone."""
    if value is None:
        return None
    if date_only and isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def status_report(workspace: WorkspaceFolder) -> StatusResult:
    """Rows and ``from``/``to`` per kind, quarantine rows in all and per kind, ingests."""
    with workspace.warehouse() as warehouse:
        kinds = {}
        for kind in KINDS.values():
            rows, first, last = warehouse.span(kind.table, kind.time_column)
            date_only = kind.column(kind.time_column).role == "date"
            kinds[kind.name] = {
                "rows": rows,
                "from": _iso(first, date_only),
                "to": _iso(last, date_only),
            }
        per_kind = warehouse.counts("quarantine", "kind")
        ingests = warehouse.count("ingests")
    return StatusResult(
        kinds=kinds,
        quarantine={"rows": sum(per_kind.values()), "by_kind": per_kind},
        ingests=ingests,
        workspace=str(workspace.root),
    )
