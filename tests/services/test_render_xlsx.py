"""XLSX exports: a text that looks like a formula stays text, and what XLSX cannot hold is
replaced rather than failing the export (OWASP, CSV Injection)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from touchpoints.services.render import xlsx_bytes


def test_a_formula_is_written_as_a_string_cell() -> None:
    book = load_workbook(
        io.BytesIO(xlsx_bytes([("rows", [{"comment": "=1+1", "n": 3, "tags": ["a", "b"]}])]))
    )
    sheet = book["rows"]
    assert [c.value for c in sheet[1]] == ["comment", "n", "tags"]
    comment, n, tags = sheet[2]
    assert (comment.value, comment.data_type) == ("=1+1", "s")
    assert (n.value, n.data_type) == (3, "n")
    assert tags.value == "a; b"


def test_control_characters_and_sheet_names_are_made_safe() -> None:
    data = xlsx_bytes([("a/b:c", [{"x": "bell\x07"}]), ("a/b:c", [{"x": 1}])])
    book = load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 2
    assert book.worksheets[0]["A2"].value == "bell "
