"""JSON and CSV for machines: spreadsheet-safe CSV (OWASP CSV injection) with numbers kept."""

from __future__ import annotations

import csv
import io
import json

import pytest

from touchpoints.core.result import Records
from touchpoints.core.spreadsheet import safe_cell
from touchpoints.services.render import csv_text, json_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("华东", "华东"),
        ("a=b", "a=b"),
    ],
)
def test_formula_cells_are_neutralised(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [-3.5, -0.0, 12, "-3.5", "+7", "-1e-05", "-.5"])
def test_numbers_stay_numbers(value: object) -> None:
    assert safe_cell(value) == value


def test_csv_reads_back_with_every_column_and_safe_cells() -> None:
    rows = [
        {"channel": '=HYPERLINK("http://x")', "nps": -12.5, "insufficient": ["nps", "csat"]},
        {"channel": "web", "nps": 3.0, "extra": "@x"},
    ]
    text = csv_text(rows)
    read = list(csv.DictReader(io.StringIO(text)))
    assert list(read[0]) == ["channel", "nps", "insufficient", "extra"]
    assert read[0]["channel"] == '\'=HYPERLINK("http://x")'
    assert read[0]["nps"] == "-12.5"
    assert read[0]["insufficient"] == "nps; csat"
    assert read[1]["extra"] == "'@x"
    assert read[1]["insufficient"] == ""


def test_json_text_is_the_result_dict() -> None:
    result = Records(({"region": "华东", "n": 3},))
    text = json_text(result)
    assert "华东" in text  # not escaped
    assert json.loads(text) == [{"region": "华东", "n": 3}]
