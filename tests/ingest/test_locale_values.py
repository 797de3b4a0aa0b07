"""Values read as a person means them (issue 15): decimal marks, units, finite numbers, the
day/month order of a column, control characters in ids. Expected values are worked by hand.

The test workspace is in Asia/Shanghai (UTC+8): a naive date D is stored as D-1 16:00 UTC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import query, reasons, write_csv
from touchpoints.ingest import IngestResult, ingest_file
from touchpoints.services.workspace import Workspace

ORDER = ["order_id", "ts", "customer", "amount"]
POINT = (
    ' is not a number with the decimal mark "." (groups of thousands have 3 digits); '
    'set decimal: "," in the mapping if "," is its decimal mark'
)
COMMA = (
    ' is not a number with the decimal mark "," (groups of thousands have 3 digits); '
    'set decimal: "." in the mapping if "." is its decimal mark'
)


def _ingest(
    workspace: Workspace,
    tmp_path: Path,
    kind: str,
    header: list[str],
    rows: list[list[str]],
    mapping: str = "",
) -> IngestResult:
    data = write_csv(tmp_path / f"{kind}.csv", header, rows)
    path = tmp_path / "map.yaml"
    path.write_text(f"kind: {kind}\n{mapping}", encoding="utf-8")
    return ingest_file(workspace, data, mapping_path=path)


def _amounts(
    workspace: Workspace, tmp_path: Path, amounts: list[str], mapping: str = ""
) -> dict[str, Any]:
    """Each amount as order O<i>; returns the stored amount or the reasons, by order id."""
    rows = [[f"O{i}", "2025-05-04", "m-1", a] for i, a in enumerate(amounts)]
    _ingest(workspace, tmp_path, "orders", ORDER, rows, mapping)
    found: dict[str, Any] = dict(query(workspace, "SELECT order_id, amount FROM orders"))
    return found | reasons(workspace)


def test_decimal_comma_reads_european_amounts(workspace: Workspace, tmp_path: Path) -> None:
    """Issue 15: `1.299,00` was stored as 1.299. With `decimal: ","` the dot and the space
    group thousands: 1.299,00 = 1299, 1 299,50 = 1299.5, 1.234.567 = 1234567."""
    amounts = ["1.299,00", "1,5", "-35", "1 299,50", "€12,50", "1.299", "1.234.567"]
    assert _amounts(workspace, tmp_path, amounts, 'decimal: ","\n') == {
        "O0": 1299.0,
        "O1": 1.5,
        "O2": -35.0,
        "O3": 1299.5,
        "O4": 12.5,
        "O5": 1299.0,
        "O6": 1234567.0,
    }


def test_decimal_point_reads_grouped_amounts(workspace: Workspace, tmp_path: Path) -> None:
    """The default decimal mark is "."; commas and spaces group thousands."""
    amounts = ["1,299.00", "¥1,299.00", "1,299", "12,345,678.5", "0.25", "1 299"]
    assert _amounts(workspace, tmp_path, amounts) == {
        "O0": 1299.0,
        "O1": 1299.0,
        "O2": 1299.0,
        "O3": 12345678.5,
        "O4": 0.25,
        "O5": 1299.0,
    }


def test_a_value_of_the_other_decimal_convention_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Issue 15: `1,00` was stored as 100. Under "." it is no grouping of thousands (groups
    have 3 digits), and `1.299,00` has its marks the other way round: both refused, saying
    which key reads them."""
    assert _amounts(workspace, tmp_path, ["1,00", "1.299,00", "1,2345"]) == {
        "O0": ["amount: '1,00'" + POINT],
        "O1": ["amount: '1.299,00'" + POINT],
        "O2": ["amount: '1,2345'" + POINT],
    }


def test_a_declared_decimal_comma_refuses_decimal_points(
    workspace: Workspace, tmp_path: Path
) -> None:
    assert _amounts(workspace, tmp_path, ["1,299.00", "2.5"], 'decimal: ","\n') == {
        "O0": ["amount: '1,299.00'" + COMMA],
        "O1": ["amount: '2.5'" + COMMA],
    }


def test_thousands_groups_have_three_digits(workspace: Workspace, tmp_path: Path) -> None:
    """Issue 15 `1 2 3` was read as 123: no reading has groups of 1 digit, or two marks in
    a row."""
    assert _amounts(workspace, tmp_path, ["1 2 3", "1,,000", "12,34,567"]) == {
        "O0": ["amount: '1 2 3' is not a number"],
        "O1": ["amount: '1,,000' is not a number"],
        "O2": ["amount: '12,34,567' is not a number"],
    }


def test_values_reading_both_ways_are_refused_beside_decimal_commas(
    workspace: Workspace, tmp_path: Path
) -> None:
    """No `decimal:` and a column holding `1,5` (a decimal comma, refused): `1.299` would be
    1.299 with a decimal point but 1299 with a comma, so it is refused too rather than
    guessed; `12.50` reads only one way (12.5) and is kept."""
    assert _amounts(workspace, tmp_path, ["1,5", "1.299", "12.50", "2,500"]) == {
        "O0": ["amount: '1,5'" + POINT],
        "O1": [
            "amount: '1.299' reads as 1.299 or as 1299: the column also holds '1,5' with a "
            'decimal comma; set decimal: "," or "." in the mapping'
        ],
        "O2": 12.5,
        "O3": [
            "amount: '2,500' reads as 2500 or as 2.500: the column also holds '1,5' with a "
            'decimal comma; set decimal: "," or "." in the mapping'
        ],
    }


def test_a_declared_decimal_point_reads_values_both_ways_one_way(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Declared, the mark decides: `1.299` is 1.299 and `2,500` is 2500 beside `1,5`."""
    assert _amounts(workspace, tmp_path, ["1,5", "1.299", "2,500"], 'decimal: "."\n') == {
        "O0": ["amount: '1,5'" + POINT],
        "O1": 1.299,
        "O2": 2500.0,
    }


def test_currency_marks_are_read_on_money_only(workspace: Workspace, tmp_path: Path) -> None:
    """A currency mark before or after an amount is money's own notation; on a duration or a
    quantity a unit is refused unless the mapping's values say what it means."""
    amounts = ["199元", "¥199", "￥199", "RMB 199", "-¥35", "¥-35", "$5", "199 CNY"]
    assert _amounts(workspace, tmp_path, amounts) == {
        "O0": 199.0,
        "O1": 199.0,
        "O2": 199.0,
        "O3": 199.0,
        "O4": -35.0,
        "O5": -35.0,
        "O6": 5.0,
        "O7": 199.0,
    }


def test_units_on_other_numbers_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    header = ["event_id", "ts", "touchpoint", "duration_s"]
    rows = [
        ["e1", "2025-05-04", "web_checkout", "¥5"],
        ["e2", "2025-05-04", "web_checkout", "5 min"],
        ["e3", "2025-05-04", "web_checkout", "7分钟"],
        ["e4", "2025-05-04", "web_checkout", "35.5"],
    ]
    _ingest(workspace, tmp_path, "interactions", header, rows)
    assert query(workspace, "SELECT event_id, duration_s FROM interactions") == [("e4", 35.5)]
    assert reasons(workspace) == {
        "e1": ["duration_s: '¥5' is not a number"],
        "e2": ["duration_s: '5 min' is not a number"],
        "e3": ["duration_s: '7分钟' is not a number"],
    }


def test_a_value_map_says_what_a_unit_means(workspace: Workspace, tmp_path: Path) -> None:
    """`5 min` mapped to 300 (seconds, by hand) is read; the map is exact."""
    header = ["event_id", "ts", "touchpoint", "duration_s"]
    rows = [["e1", "2025-05-04", "web_checkout", "5 min"]]
    mapping = 'values: {duration_s: {"5 min": 300}}\n'
    assert _ingest(workspace, tmp_path, "interactions", header, rows, mapping).accepted == 1
    assert query(workspace, "SELECT duration_s FROM interactions") == [(300.0,)]


def test_full_width_amounts_read_as_ascii(workspace: Workspace, tmp_path: Path) -> None:
    assert _amounts(workspace, tmp_path, ["￥１，２９９．００", "－３５"]) == {
        "O0": 1299.0,
        "O1": -35.0,
    }


def test_numbers_must_be_finite(workspace: Workspace, tmp_path: Path) -> None:
    """`inf`, `nan`, `1e400` are no numbers; a 400-digit number read as infinity before."""
    huge = "1" + "0" * 400
    assert _amounts(workspace, tmp_path, ["inf", "nan", "1e400", "-Infinity", huge]) == {
        "O0": ["amount: 'inf' is not a number"],
        "O1": ["amount: 'nan' is not a number"],
        "O2": ["amount: '1e400' is not a number"],
        "O3": ["amount: '-Infinity' is not a number"],
        "O4": [f"amount: '{huge}' is too large"],
    }


def test_a_whole_number_too_large_to_store_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    """`contacts` is stored as a 64-bit integer: 10^20 > 2^63 ≈ 9.22 × 10^18 stopped the
    whole ingest with a conversion error before; now the row is refused."""
    header = ["channel", "period_start", "period_end", "cost", "contacts"]
    rows = [
        ["web", "2025-05-01", "2025-05-31", "5", "100000000000000000000"],
        ["app", "2025-05-01", "2025-05-31", "5", "1,000"],
    ]
    result = _ingest(workspace, tmp_path, "channel_costs", header, rows)
    assert (result.accepted, result.quarantined) == (1, 1)
    assert query(workspace, "SELECT channel, contacts FROM channel_costs") == [("app", 1000)]
    assert reasons(workspace) == {
        "web|2025-05-01|2025-05-31": ["contacts: '100000000000000000000' is too large"]
    }


def test_scores_and_items_read_the_declared_decimal_mark(
    workspace: Workspace, tmp_path: Path
) -> None:
    """An item `3,5` is 3.5 with `decimal: ","`; a score `9,0` is 9; under the default the
    same `7,5` score is refused saying which key reads it."""
    header = ["response_id", "ts", "nps", "attr.speed"]
    rows = [["R1", "2025-05-04", "9,0", "3,5"]]
    assert _ingest(workspace, tmp_path, "responses", header, rows, 'decimal: ","\n').accepted
    assert query(workspace, "SELECT nps FROM responses") == [(9,)]
    assert query(workspace, "SELECT value FROM response_items") == [(3.5,)]

    _ingest(workspace, tmp_path, "responses", header, [["R2", "2025-05-04", "7,5", ""]])
    assert reasons(workspace) == {
        "R2": [
            "nps: '7,5' is not a number with the decimal mark \".\"; "
            'set decimal: "," in the mapping if "," is its decimal mark'
        ]
    }


RESPONSE = ["response_id", "ts", "nps"]


def _dates(workspace: Workspace, tmp_path: Path, dates: list[str], mapping: str = "") -> Any:
    """Each date as response R<i>; the stored local date (Shanghai) or the reasons, by id."""
    rows = [[f"R{i}", d, "9"] for i, d in enumerate(dates)]
    _ingest(workspace, tmp_path, "responses", RESPONSE, rows, mapping)
    local = "strftime(timezone('Asia/Shanghai', ts), '%Y-%m-%d')"
    found: dict[str, Any] = dict(query(workspace, f"SELECT response_id, {local} FROM responses"))
    return found | reasons(workspace)


def test_a_day_that_can_only_be_a_day_makes_the_column_day_first(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Issue 15: `05/04/2025` was read month-first while `13/05/2025` was refused. 13 can only
    be a day, so the whole column is day-first: 5 April and 13 May."""
    assert _dates(workspace, tmp_path, ["05/04/2025", "13/05/2025"]) == {
        "R0": "2025-04-05",
        "R1": "2025-05-13",
    }


def test_a_month_day_that_can_only_be_a_day_makes_the_column_month_first(
    workspace: Workspace, tmp_path: Path
) -> None:
    assert _dates(workspace, tmp_path, ["05/04/2025", "05/13/2025"]) == {
        "R0": "2025-05-04",
        "R1": "2025-05-13",
    }


def test_a_column_that_cannot_tell_reads_month_first(workspace: Workspace, tmp_path: Path) -> None:
    """Nothing above 12: SurveyMonkey's and Excel's month-first order, as before."""
    assert _dates(workspace, tmp_path, ["05/04/2025", "7/9/14"]) == {
        "R0": "2025-05-04",
        "R1": "2014-07-09",
    }


def test_a_column_with_both_orders_refuses_its_slashed_dates(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Day-first `13/05/2025` and month-first `05/13/2025` in one column: no slashed date is
    read, each says why; dates written year first still are."""
    advice = (
        " has no known day/month order: the column holds day-first ('13/05/2025') and "
        "month-first ('05/13/2025') dates; set dayfirst: true or false in the mapping"
    )
    dates = ["13/05/2025", "05/04/2025", "05/13/2025", "2025/05/04"]
    assert _dates(workspace, tmp_path, dates) == {
        "R0": ["ts: '13/05/2025'" + advice],
        "R1": ["ts: '05/04/2025'" + advice],
        "R2": ["ts: '05/13/2025'" + advice],
        "R3": "2025-05-04",
    }


def test_a_declared_order_is_kept_against_the_column(workspace: Workspace, tmp_path: Path) -> None:
    """`dayfirst: false` reads month-first even beside `13/05/2025`, which it cannot parse."""
    assert _dates(workspace, tmp_path, ["05/04/2025", "13/05/2025"], "dayfirst: false\n") == {
        "R0": "2025-05-04",
        "R1": ["ts: cannot parse '13/05/2025'"],
    }


def test_a_column_that_cannot_tell_follows_the_files_other_dates(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Channel-cost periods are dates: 31/05/2025 makes period_end day-first, and
    period_start, where nothing tells, follows it: 01/05/2025 is 1 May, not 5 January."""
    header = ["channel", "period_start", "period_end", "cost"]
    rows = [["web", "01/05/2025", "31/05/2025", "5"]]
    assert _ingest(workspace, tmp_path, "channel_costs", header, rows).accepted == 1
    stored = query(
        workspace,
        "SELECT strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d') "
        "FROM channel_costs",
    )
    assert stored == [("2025-05-01", "2025-05-31")]


@pytest.mark.parametrize(
    ("text", "code"),
    [("R\x001", "U+0000"), ("R\x071", "U+0007"), ("R\x851", "U+0085"), ("R\u20281", "U+2028")],
)
def test_control_characters_in_ids_are_refused(
    workspace: Workspace, tmp_path: Path, text: str, code: str
) -> None:
    """Issue 15: a NUL byte stayed in a stored id. Refused, the reason names the character;
    the entry is keyed by the row's content, not by the broken id."""
    rows = [[text, "2025-05-04", "9"], ["R2", "2025-05-04", "9"]]
    result = _ingest(workspace, tmp_path, "responses", RESPONSE, rows)
    assert (result.accepted, result.quarantined) == (1, 1)
    assert query(workspace, "SELECT response_id FROM responses") == [("R2",)]
    ((key, why),) = reasons(workspace).items()
    assert key.startswith("row_")
    assert why == [f"response_id: holds a control character ({code})"]


def test_control_characters_in_identifiers_are_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = ["order_id", "ts", "customer", "amount"]
    rows = [["O1", "2025-05-04", "m\x00-1", "5"]]
    assert _ingest(workspace, tmp_path, "orders", header, rows).quarantined == 1
    assert reasons(workspace) == {"O1": ["customer: holds a control character (U+0000)"]}
