"""Local time from transitions equals zoneinfo's, in the engine, for zones with daylight saving,
half- and quarter-hour offsets, and a thirty-minute daylight shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoints.storage.clock import Clock, zone_shifts

ZONES = [
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "UTC",
]
START, END = datetime(2019, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def _local(clock: Clock, instants: list[datetime]) -> list[datetime]:
    """The clock's SQL run by DuckDB over the instants (stored as TIMESTAMPTZ, as ours are)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (i INTEGER, ts TIMESTAMPTZ)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(instants)))
    rows = con.execute(f"SELECT {clock.local_sql('ts')} FROM t ORDER BY i").fetchall()
    return [r[0] for r in rows]


def test_berlin_2025_transitions_by_hand() -> None:
    shifts = zone_shifts(
        "Europe/Berlin", datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    )
    hour = 3_600_000_000
    # CET +1 h; CEST +2 h from 2025-03-30 01:00 UTC; CET again from 2025-10-26 01:00 UTC.
    assert [offset for _, offset in shifts] == [hour, 2 * hour, hour]
    assert shifts[1][0] == int(datetime(2025, 3, 30, 1, tzinfo=UTC).timestamp()) * 1_000_000
    assert shifts[2][0] == int(datetime(2025, 10, 26, 1, tzinfo=UTC).timestamp()) * 1_000_000


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=25, deadline=None)
@given(
    seconds=st.lists(
        st.integers(int(START.timestamp()), int(END.timestamp())), min_size=1, max_size=30
    )
)
def test_engine_local_time_equals_zoneinfo(zone: str, seconds: list[int]) -> None:
    clock = Clock(zone, zone_shifts(zone, START, END))
    instants = [datetime.fromtimestamp(s, UTC) for s in seconds]
    found = _local(clock, instants)
    expected = [i.astimezone(ZoneInfo(zone)).replace(tzinfo=None) for i in instants]
    assert found == expected


def test_the_second_of_a_transition() -> None:
    zone = "America/New_York"
    clock = Clock(zone, zone_shifts(zone, START, END))
    change = datetime(2025, 3, 9, 7, tzinfo=UTC)  # 02:00 EST becomes 03:00 EDT
    instants = [change - timedelta(seconds=1), change]
    found = _local(clock, instants)
    assert found == [datetime(2025, 3, 9, 1, 59, 59), datetime(2025, 3, 9, 3, 0)]
