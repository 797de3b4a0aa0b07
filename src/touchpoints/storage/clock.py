"""Local wall-clock time in the engine, without a time-zone lookup per row.

Periods and ``--since/--until`` are read in the workspace's zone, but converting every stored
UTC instant with the engine's time-zone functions costs more than the whole aggregation
(about a second per ten million rows). A zone's offset only changes at its transitions, and
the data spans a known range, so the local time is the UTC instant plus a constant offset per
stretch between transitions: ``epoch_us(ts) + CASE …`` on integers, then date arithmetic on a
naive timestamp. It is written as SQL text, so the queries that need it run without Ibis.
The transitions are found once, in Python, with :mod:`zoneinfo`; a test checks the result
against :mod:`zoneinfo` on random instants in zones with and without daylight saving and with
half-hour offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from touchpoints.storage.contract import Store

SCAN = 6 * 3600  # seconds: transitions are months apart, never two within six hours
TIMES = {
    "responses": "ts",
    "interactions": "ts",
    "tickets": "created_at",
    "reviews": "ts",
    "orders": "ts",
}


def _offset(zone: ZoneInfo, second: int) -> int:
    """The zone's UTC offset in µs at the instant ``second`` (seconds since 1970, UTC)."""
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    return round(offset.total_seconds() * 1_000_000) if offset else 0


def zone_shifts(zone: str, start: datetime, end: datetime) -> tuple[tuple[int, int], ...]:
    """``((from_us, offset_us), …)``: the zone's UTC offset from each transition on, over
    ``start…end``. The first entry's start is ``start``'s (it holds before it too)."""
    tz = ZoneInfo(zone)
    first, last = int(start.timestamp()), int(end.timestamp()) + 1
    shifts = [(first * 1_000_000, _offset(tz, first))]
    at = first
    while at < last:
        step = min(at + SCAN, last)
        if _offset(tz, step) != _offset(tz, at):
            low, high = at, step  # the offset changes in (low, high]: bisect to the second
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (
                    (middle, high) if _offset(tz, middle) == _offset(tz, low) else (low, middle)
                )
            shifts.append((high * 1_000_000, _offset(tz, high)))
        at = step
    return tuple(shifts)


@dataclass(frozen=True)
class Clock:
    """The workspace's zone over the span of the stored data."""

    zone: str
    shifts: tuple[tuple[int, int], ...]

    @classmethod
    def covering(cls, store: Store, zone: str) -> Clock:
        """A clock for every instant stored in the warehouse (its kinds' time spans)."""
        spans = [store.span(table, column) for table, column in TIMES.items()]
        lows = [low for _, low, _ in spans if low is not None]
        highs = [high for _, _, high in spans if high is not None]
        if not lows:
            return cls(zone, ((0, 0),))
        start = min(lows) - timedelta(days=1)
        end = max(highs) + timedelta(days=1)
        return cls(zone, zone_shifts(zone, start, end))

    def local_sql(self, ts: str) -> str:
        """SQL for the naive local wall-clock time of the UTC instant ``ts`` (an expression).

        The offset is picked by a balanced tree of comparisons, so a century of daylight
        saving (two hundred transitions) costs eight comparisons a row, not two hundred.
        Integers only, then one conversion: DuckDB's ``epoch_us`` and ``make_timestamp``.
        """
        us = f"epoch_us({ts})"

        def offset(low: int, high: int) -> str:  # the shifts low … high − 1
            if high - low == 1:
                return str(self.shifts[low][1])
            middle = (low + high) // 2
            return (
                f"CASE WHEN {us} < {self.shifts[middle][0]} "
                f"THEN {offset(low, middle)} ELSE {offset(middle, high)} END"
            )

        return f"make_timestamp({us} + {offset(0, len(self.shifts))})"
