"""What a metrics question asks: dimensions, period, dates and filters, parsed and checked once.

Every interface hands the user's words to :meth:`MetricsQuery.parse` — the command line its
option strings, the API its query parameters, a notebook Python values — and gets back a
checked query or a :class:`~touchpoints.errors.ParameterError` naming the parameter in domain
terms. Kept apart from the engine code so that a question is checked without importing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from touchpoints.errors import ParameterError

DIMENSIONS = ("channel", "touchpoint", "stage", "segment", "region", "variant", "brand")
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}

Words = str | Iterable[str] | None


def parse_names(value: Words) -> tuple[str, ...]:
    """``"channel, region"`` or ``["channel", "region"]`` as ``("channel", "region")``."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(p.strip() for p in parts if p and p.strip())


def parse_pairs(param: str, value: Mapping[str, str] | Sequence[str] | None) -> dict[str, str]:
    """``["region=华东", …]`` (or a mapping) as ``{"region": "华东"}``; a malformed pair is a
    :class:`ParameterError` on ``param``."""
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    found = {}
    for pair in [value] if isinstance(value, str) else value or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(param, f"takes NAME=VALUE, got '{pair}'")
        found[key.strip()] = text.strip()
    return found


def parse_numbers(
    param: str, value: Mapping[str, float] | Sequence[str] | None
) -> dict[str, float]:
    """``["attr.price=2", …]`` (or a mapping) as ``{"attr.price": 2.0}``."""
    try:
        return {k: float(v) for k, v in parse_pairs(param, value).items()}  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(param, "takes NAME=NUMBER") from None


def parse_scale(param: str, value: str | Sequence[int] | None) -> tuple[int, int] | None:
    """``"1,5"`` or ``(1, 5)`` as ``(1, 5)``; the low end must be below the high end."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        low, high = (int(p) for p in parts)
    except (TypeError, ValueError):
        raise ParameterError(param, f"takes LOW,HIGH with LOW < HIGH, got '{value}'") from None
    if low >= high:
        raise ParameterError(param, f"takes LOW,HIGH with LOW < HIGH, got '{value}'")
    return low, high


def parse_day(param: str, value: date | str | None) -> date | None:
    """An ISO date (``2025-07-01``), a ``date`` or a ``datetime`` as a date."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ParameterError(param, f"takes a date as YYYY-MM-DD, got '{value}'") from None


@dataclass(frozen=True)
class MetricsQuery:
    by: tuple[str, ...] = ()
    period: str | None = None
    since: date | None = None
    until: date | None = None
    where: dict[str, str] = field(default_factory=dict)
    relationship: bool = False  # only answers with neither channel nor touchpoint

    @classmethod
    def parse(
        cls,
        by: Words = None,
        period: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        where: Mapping[str, str] | Sequence[str] | None = None,
    ) -> MetricsQuery:
        """A checked query from what a person typed or a script passed."""
        query = cls(
            by=parse_names(by),
            period=period or None,
            since=parse_day("since", since),
            until=parse_day("until", until),
            where=parse_pairs("where", where),
        )
        query.check()
        return query

    @property
    def keys(self) -> list[str]:
        """The names a result is grouped by: ``by``, then ``period`` when split by one."""
        return [*self.by, *(["period"] if self.period else [])]

    def check(self) -> None:
        for param, given in (("by", self.by), ("where", tuple(self.where))):
            unknown = [d for d in given if d not in DIMENSIONS]
            if unknown:
                raise ParameterError(
                    param,
                    f"unknown dimension {', '.join(map(repr, unknown))} "
                    f"(dimensions: {', '.join(DIMENSIONS)})",
                )
        if self.period is not None and self.period not in PERIODS:
            raise ParameterError(
                "period", f"unknown period '{self.period}' (periods: {', '.join(PERIODS)})"
            )
        if self.since and self.until and self.since > self.until:
            raise ParameterError("since", f"{self.since} is after {{until}} {self.until}")
