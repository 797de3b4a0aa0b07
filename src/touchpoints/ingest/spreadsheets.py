"""Spreadsheets (xlsx, xlsm, xls): one sheet read whole, as text.

A sheet holds at most about a million rows, so it is read in one go (python-calamine);
survey tools' header rows are recognised as in CSV exports.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyarrow as pa

from touchpoints.errors import FileFormatError
from touchpoints.ingest.exports import column_names, header_rows
from touchpoints.ingest.raw import RawTable, cell_text, unique_headers


def _from_records(records: list[list[Any]], tool: str | None) -> RawTable:
    """Header rows and data rows (spreadsheets) into a RawTable."""
    if not records:
        raise FileFormatError("the sheet is empty: no header row")
    texts = [[cell_text(v) for v in r] for r in records[:3]]
    skip = header_rows(tool, texts)
    headers = unique_headers(column_names(tool, texts[:skip]))
    width = len(headers)
    # Blank rows are no records (as blank lines in a CSV); the others keep their numbers.
    numbered = [
        (skip + 1 + i, r)
        for i, r in enumerate(records[skip:])
        if any(cell_text(v) is not None for v in r)
    ]
    columns = [
        pa.array([cell_text(r[i]) if i < len(r) else None for _, r in numbered], pa.string())
        for i in range(width)
    ]
    rows = pa.array([n for n, _ in numbered], pa.int64())
    return RawTable(pa.table(columns, names=headers), rows)


def read_xlsx(path: Path, *, sheet: str | int | None = None, tool: str | None = None) -> RawTable:
    """Read one sheet as text; refuse it if a formula cell in it has no saved value.

    A spreadsheet keeps each formula's last result beside it, and readers (calamine here)
    read that result. A file written by a program (openpyxl, a script) and never opened in a
    spreadsheet program has formulas but no results, and they would read as empty cells:
    answers silently missing. Such cells come from how the file was made, not from single
    answers — usually a whole computed column — so the file is refused with one line naming
    the first such cell, its column and how many there are, rather than every row going to
    the quarantine: the fix (open and save the file, or paste values) is one step for the
    whole file, and nothing is stored from it meanwhile.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own untyped errors for corrupt files
        raise FileFormatError(f"{path}: not a readable spreadsheet ({exc})") from None
    if sheet is None:
        sheet = 0
    try:
        data = (
            book.get_sheet_by_index(sheet)
            if isinstance(sheet, int)
            else book.get_sheet_by_name(sheet)
        )
    except Exception:
        names = ", ".join(book.sheet_names)
        raise FileFormatError(f"{path}: no sheet {sheet!r} (sheets: {names})") from None
    raw = _from_records(data.to_python(skip_empty_area=False), tool)
    count, first = _formulas_without_values(path, data.name)
    if first is not None:
        row, column = first
        header = f" in column {raw.headers[column - 1]!r}" if column <= len(raw.headers) else ""
        cells = "1 formula cell has" if count == 1 else f"{count} formula cells have"
        raise FileFormatError(
            f"{path}: {cells} no saved value (the file was never calculated by a spreadsheet "
            f"program), the first at {_cell_name(row, column)}{header} of sheet {data.name!r}: "
            "open and save the file in a spreadsheet program, or paste the formulas as values"
        )
    return raw


# Any formula element, prefixed or not (<f>, <f t="shared" …/>, <x:f>): a cheap test before
# the sheet is parsed as XML, which only files holding formulas pay.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _local(tag: str) -> str:
    """An XML tag without its namespace: transitional and strict OOXML name them apart."""
    return tag.rpartition("}")[2]


def _cell_name(row: int, column: int) -> str:
    """Row 5, column 3 → ``C5``."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _column_number(letters: str) -> int:
    """``C`` → 3, ``AA`` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_member(book: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding sheet ``name``: the workbook lists it, its relations place it."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    ids = [
        value
        for s in workbook.iterfind(".//{*}sheet")
        if s.get("name") == name
        for key, value in s.attrib.items()
        if _local(key) == "id"
    ]
    targets = [r.get("Target", "") for r in relations if ids and r.get("Id") == ids[0]]
    if not targets:
        return None
    target = targets[0]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _has_formulas(book: zipfile.ZipFile, member: str) -> bool:
    with book.open(member) as stream:
        tail = b""
        while chunk := stream.read(1 << 22):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _formulas_without_values(path: Path, sheet: str) -> tuple[int, tuple[int, int] | None]:
    """How many formula cells of ``sheet`` have no saved result, and the (row, column) of the
    first. A result is a ``<v>`` with text, or an empty one on a text result (``t="str"``:
    a formula that gave ""); openpyxl writes an empty ``<v/>`` on a number cell. Legacy
    ``.xls`` files always store results, so only zip-based workbooks are looked at."""
    if not zipfile.is_zipfile(path):
        return 0, None
    count, first = 0, None
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, sheet)
        if member is None or member not in book.namelist() or not _has_formulas(book, member):
            return 0, None
        row = 0
        with book.open(member) as stream:
            for _, element in ElementTree.iterparse(stream):
                if _local(element.tag) != "row":
                    continue
                row, column = int(element.get("r") or row + 1), 0
                for cell in element:
                    found = _REFERENCE.fullmatch(cell.get("r", ""))
                    column = _column_number(found[1]) if found else column + 1
                    parts = {_local(child.tag): child for child in cell}
                    value = parts.get("v")
                    saved = "is" in parts or (
                        value is not None and (bool(value.text) or cell.get("t") == "str")
                    )
                    if "f" in parts and not saved:
                        count += 1
                        first = first or (row, column)
                element.clear()
    return count, first
