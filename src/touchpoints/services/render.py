"""Results as text for machines: JSON and spreadsheet-safe CSV, the same for every interface.

The command line prints these; the REST API answers ``?format=csv`` with the same bytes.
CSV cells that a spreadsheet would run as a formula are neutralised
(:mod:`touchpoints.core.spreadsheet`), while numbers stay numbers. XLSX workbooks hold every
text as a string cell, never a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
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


# Characters an XLSX file cannot hold (control characters but tab and line breaks); and those
# a sheet's name may not use, which is at most 31 characters long (Excel's limits).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(sheets: Sequence[tuple[str, list[dict[str, Any]]]]) -> bytes:
    """Flat records as an XLSX workbook, one sheet per ``(title, records)``.

    A text is written as a string cell even when it starts with ``=``: openpyxl would
    otherwise store it as a formula, which a spreadsheet runs (OWASP, *CSV Injection*).
    Lists and objects are joined as in CSV; numbers stay numbers.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    used: set[str] = set()
    for title, records in sheets:
        name = _NOT_IN_SHEET_NAME.sub(" ", title).strip()[:31] or "Sheet"
        while name in used:
            name = name[:28] + f" {len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(k for row in records for k in row))
        sheet.append(columns)
        for row in records:
            line = []
            for column in columns:
                value = row.get(column)
                if isinstance(value, list | tuple | dict):
                    value = safe_cell(value)
                cell = WriteOnlyCell(sheet, value=None)
                if isinstance(value, str):
                    cell.value = _NOT_IN_XLSX.sub(" ", value)
                    cell.data_type = "s"  # text, even when it starts with "="
                else:
                    cell.value = value
                line.append(cell)
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
