"""Timestamps in the formats people's files hold, each to its UTC instant (computed by hand).

The test workspace is in Asia/Shanghai (UTC+8, no daylight saving): a naive 12:00 there is
04:00 UTC; a time with its own offset keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ingest, query, reasons, write_csv
from touchpoints.services.workspace import Workspace


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-05-04 12:00:00", "2025-05-04 04:00:00"),
        ("2025-05-04T12:00:00", "2025-05-04 04:00:00"),
        ("2025-05-04 12:00", "2025-05-04 04:00:00"),
        ("2025-05-04", "2025-05-03 16:00:00"),
        ("2025/05/04 04:47", "2025-05-03 20:47:00"),
        ("2025/5/4 4:47:30", "2025-05-03 20:47:30"),
        ("2025年5月4日", "2025-05-03 16:00:00"),
        ("2025年5月4日 12:30", "2025-05-04 04:30:00"),
        ("2025-05-04T12:00:00+08:00", "2025-05-04 04:00:00"),
        ("2025-05-04T04:00:00Z", "2025-05-04 04:00:00"),
        ("2025-05-04 06:00:00+02:00", "2025-05-04 04:00:00"),
        ("2025-05-04T12:00:00.250+08:00", "2025-05-04 04:00:00"),
        ("05/04/2025 04:47:00 PM", "2025-05-04 08:47:00"),  # SurveyMonkey, month first
        ("7/9/14 23:45", "2014-07-09 15:45:00"),  # re-saved by Excel: two-digit year
        ("7/9/2014 23:45", "2014-07-09 15:45:00"),
        ("2025.05.04 12:00", "2025-05-04 04:00:00"),
    ],
)
def test_formats_to_utc(workspace: Workspace, tmp_path: Path, text: str, utc: str) -> None:
    path = write_csv(tmp_path / "t.csv", ["response_id", "ts", "nps"], [["r", text, "9"]])
    assert ingest(workspace, path).accepted == 1
    assert query(workspace, "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') FROM responses") == [(utc,)]


def test_offsets_beyond_fourteen_hours_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    """Issue 15: `+99:00` was accepted. No zone is more than 14 hours from UTC (Kiribati,
    +14:00), so a larger offset is refused; the others are read (UTC worked by hand)."""
    path = write_csv(
        tmp_path / "tz.csv",
        ["response_id", "ts", "nps"],
        [
            ["R1", "2025-05-04T10:00:00+99:00", "9"],
            ["R2", "2025-05-04T10:00:00+14:00", "9"],
            ["R3", "2025-05-04T10:00:00-05:30", "9"],
            ["R4", "2025-05-04T10:00:00+0800", "9"],
            ["R5", "2025-05-04T10:00:00+14:30", "9"],
        ],
    )
    result = ingest(workspace, path)
    assert (result.accepted, result.quarantined) == (3, 2)
    stored = {
        r: ts.strftime("%Y-%m-%d %H:%M")
        for r, ts in query(workspace, "SELECT response_id, ts FROM responses")
    }
    assert stored == {"R2": "2025-05-03 20:00", "R3": "2025-05-04 15:30", "R4": "2025-05-04 02:00"}
    assert sorted(reasons(workspace)) == ["R1", "R5"]


def test_the_year_range_is_checked_on_the_local_calendar(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Issue 15: the range was checked after conversion to UTC, so in Shanghai (UTC+8)
    2101-01-01 00:00 passed (2100-12-31 16:00 UTC) and 1970-01-01 00:00 was refused."""
    path = write_csv(
        tmp_path / "years.csv",
        ["response_id", "ts", "nps"],
        [
            ["R1", "2101-01-01 00:00", "9"],
            ["R2", "1970-01-01 00:00", "9"],
            ["R3", "2100-12-31 23:59", "9"],
            ["R4", "1969-12-31 23:59", "9"],
        ],
    )
    result = ingest(workspace, path)
    assert (result.accepted, result.quarantined) == (2, 2)
    assert sorted(r for (r,) in query(workspace, "SELECT response_id FROM responses")) == [
        "R2",
        "R3",
    ]
    assert reasons(workspace) == {
        "R1": ["ts: '2101-01-01 00:00' is out of range (1970–2100)"],
        "R4": ["ts: '1969-12-31 23:59' is out of range (1970–2100)"],
    }
