"""Results as text for machines: JSON and spreadsheet-safe CSV, the same for every interface.

The command line prints these; the REST API answers ``?format=csv`` with the same bytes.
CSV cells that a spreadsheet would run as a formula are neutralised
(:mod:`touchpoints.core.spreadsheet`), while numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from touchpoints.core.result import Result
from touchpoints.core.spreadsheet import safe_cell


def json_text(result: Result | Any) -> str:
    """A result's pinned JSON (``to_dict``), indented, non-ASCII kept as it is."""
    data = result.to_dict() if isinstance(result, Result) else result
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def csv_text(records: list[dict[str, Any]]) -> str:
    """Flat records as CSV: one column per key met in any row, in first-seen order."""
    columns: dict[str, None] = {}
    for row in records:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns))
    writer.writeheader()
    for row in records:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()
