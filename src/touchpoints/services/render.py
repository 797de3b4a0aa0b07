"""Results as text for machines: JSON and spreadsheet-safe CSV, the same for every interface.

The command line prints these; the REST API answers ``?format=csv`` with the same bytes.
CSV cells that a spreadsheet would run as a formula — text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return — are neutralised with a leading apostrophe (OWASP, *CSV
Injection*), while numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from touchpoints.core.result import Result

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def json_text(result: Result | Any) -> str:
    """A result's pinned JSON (``to_dict``), indented, non-ASCII kept as it is."""
    data = result.to_dict() if isinstance(result, Result) else result
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def safe_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet will not execute.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(-3.5), safe_cell("-3.5"), safe_cell("@SUM(A1)")
    (-3.5, '-3.5', "'@SUM(A1)")
    >>> safe_cell(["a", "b"])
    'a; b'
    """
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


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
