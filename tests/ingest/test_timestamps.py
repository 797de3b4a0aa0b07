"""Timestamps in the formats people's files hold, each to its UTC instant (computed by hand).

The test workspace is in Asia/Shanghai (UTC+8, no daylight saving): a naive 12:00 there is
04:00 UTC; a time with its own offset keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ingest, query, write_csv
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
