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
# Calendar periods, named as SQL's date_trunc names them.
PERIODS = ("day", "week", "month", "quarter", "year")
# Which answers are pooled: touchpoint (transactional) ones carry a channel or touchpoint,
# relationship ones neither (METRICS.md, *Inference*: survey types).
SURVEYS = ("all", "transactional", "relationship")

Words = str | Iterable[str] | None


def parse_names(value: Words, param: str = "by") -> tuple[str, ...]:
    """``"channel, region"`` or ``["channel", "region"]`` as ``("channel", "region")``.

    An empty name (``""``, ``"channel,,region"``) is an error: it would silently mean "no
    grouping" where the user asked for one.
    """
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(str(p).strip() for p in parts)
    if not names or any(not n for n in names):
        raise ParameterError(param, f"names an empty dimension in '{value}'")
    return names


def parse_filters(
    param: str, value: Mapping[str, str | Sequence[str]] | Sequence[str] | None
) -> dict[str, tuple[str, ...]]:
    """``["region=华东", "region=华南", "channel=web"]`` (or a mapping to a value or a list
    of values) as ``{"region": ("华东", "华南"), "channel": ("web",)}``: a key given again
    adds a value it may have (any of them), different keys must all hold."""
    if isinstance(value, Mapping):
        found: dict[str, tuple[str, ...]] = {}
        for key, given in value.items():
            values = list(given) if isinstance(given, list | tuple | set) else [given]
            found[str(key).strip()] = tuple(str(v).strip() for v in values)
        return found
    pairs: dict[str, list[str]] = {}
    for pair in [value] if isinstance(value, str) else value or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(param, f"takes NAME=VALUE, got '{pair}'")
        pairs.setdefault(key.strip(), [])
        if text.strip() not in pairs[key.strip()]:
            pairs[key.strip()].append(text.strip())
    return {k: tuple(v) for k, v in pairs.items()}


def parse_pairs(param: str, value: Mapping[str, str] | Sequence[str] | None) -> dict[str, str]:
    """``["attr.price=2", …]`` (or a mapping) as ``{"attr.price": "2"}``: one value a name."""
    found = parse_filters(param, value)
    twice = [k for k, values in found.items() if len(values) > 1]
    if twice:
        raise ParameterError(param, f"gives {twice[0]} more than one value")
    return {k: values[0] for k, values in found.items()}


def parse_numbers(
    param: str, value: Mapping[str, float] | Sequence[str] | None
) -> dict[str, float]:
    """``["attr.price=2", …]`` (or a mapping) as ``{"attr.price": 2.0}``."""
    pairs = parse_pairs(param, value)  # type: ignore[arg-type]
    try:
        return {k: float(v) for k, v in pairs.items()}
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
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    survey: str = "all"  # one of SURVEYS

    def __post_init__(self) -> None:
        # ``where={"region": "华东"}`` is one allowed value: kept as a tuple of them.
        where = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in self.where.items()}
        object.__setattr__(self, "where", where)

    @classmethod
    def parse(
        cls,
        by: Words = None,
        period: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        where: Mapping[str, str | Sequence[str]] | Sequence[str] | None = None,
        survey: str | None = None,
    ) -> MetricsQuery:
        """A checked query from what a person typed or a script passed."""
        query = cls(
            by=parse_names(by),
            period=period or None,
            since=parse_day("since", since),
            until=parse_day("until", until),
            where=parse_filters("where", where),
            survey=survey or "all",
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
        if self.survey not in SURVEYS:
            raise ParameterError(
                "survey", f"unknown survey type '{self.survey}' (types: {', '.join(SURVEYS)})"
            )
        if self.since and self.until and self.since > self.until:
            raise ParameterError("since", f"{self.since} is after {{until}} {self.until}")
