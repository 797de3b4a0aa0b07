"""An xlsx formula cell whose result was never saved is refused, not read as an empty answer.

openpyxl writes formulas without results, as any script that builds a workbook does; a
spreadsheet program saves each result in the cell's ``<v>``. The "saved" files below are the
openpyxl files with the results written in, as such a program leaves them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from conftest import ingest, query
from touchpoints.errors import FileFormatError
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "touchpoint", "nps", "comment"]
SHEET_XML = "xl/worksheets/sheet1.xml"


def workbook(path: Path, rows: Sequence[Sequence[Any]], notes: Sequence[Any] = ()) -> Path:
    """A workbook as a script writes it: the answers on the first sheet, ``notes`` on a
    second one if given."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    if notes:
        book.create_sheet("notes").append(list(notes))
    book.save(path)
    return path


def saved_as(path: Path, results: dict[str, str]) -> Path:
    """The workbook as a spreadsheet program saves it: each ``old`` cell XML replaced."""
    with zipfile.ZipFile(path) as book:
        members = {info.filename: book.read(info) for info in book.infolist()}
    text = members[SHEET_XML].decode()
    for old, new in results.items():
        assert old in text
        text = text.replace(old, new)
    members[SHEET_XML] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in members.items():
            book.writestr(name, data)
    return path


ROWS = [
    ["R1", "2025-05-04 09:30:00", "store_checkout", 9, "快"],
    ["R2", "2025-05-04 10:00:00", "web_checkout", "=4+5", "ok"],
    ["R3", "2025-05-05 18:15:00", "app_delivery", "=2*4", "好"],
]


def test_formula_cells_without_saved_values_refuse_the_file_naming_the_first_and_the_count(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "answers.xlsx", ROWS)
    # Header in row 1, R1 in row 2, R2 in row 3; nps is the fourth column, D.
    expected = (
        f"{path}: 2 formula cells have no saved value (the file was never calculated by a "
        "spreadsheet program), the first at D3 in column 'nps' of sheet 'Sheet': open and "
        "save the file in a spreadsheet program, or paste the formulas as values"
    )
    with pytest.raises(FileFormatError, match=f"^{re.escape(expected)}$"):
        ingest(workspace, path)
    assert query(workspace, "SELECT count(*) FROM responses") == [(0,)]
    assert query(workspace, "SELECT count(*) FROM quarantine") == [(0,)]


def test_formula_cells_saved_by_a_spreadsheet_program_are_read_as_their_results(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = saved_as(
        workbook(tmp_path / "answers.xlsx", ROWS),
        {"<f>4+5</f><v />": "<f>4+5</f><v>9</v>", "<f>2*4</f><v />": "<f>2*4</f><v>8</v>"},
    )
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (3, 3, 0)
    stored = query(workspace, "SELECT response_id, nps FROM responses ORDER BY response_id")
    assert stored == [("R1", 9), ("R2", 9), ("R3", 8)]


def test_a_formula_that_gave_empty_text_is_read_as_a_blank_cell(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [["R1", "2025-05-04 09:30:00", "store_checkout", 9, '=""']]
    path = saved_as(
        workbook(tmp_path / "answers.xlsx", rows),
        {'<c r="E2"><f>""</f><v />': '<c r="E2" t="str"><f>""</f><v></v>'},
    )
    result = ingest(workspace, path)
    assert (result.read, result.accepted) == (1, 1)
    assert query(workspace, "SELECT response_id, comment FROM responses") == [("R1", None)]


def test_an_unsaved_formula_on_another_sheet_does_not_refuse_the_sheet_read(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "answers.xlsx", ROWS[:1], notes=["total", "=1+1"])
    result = ingest(workspace, path)
    assert (result.read, result.accepted) == (1, 1)
