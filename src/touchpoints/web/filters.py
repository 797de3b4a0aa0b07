"""The filters of every page, read from and written to the URL, so that a view can be shared.

``/touchpoints?region=华东&since=2025-07-01&period=week`` is the touchpoints page for one
region since July, by week; every link a page draws (a drill-down, an export, another page
of the navigation, the language switch) carries the same filters. The values are checked by
the services (:meth:`touchpoints.services.query.MetricsQuery.parse`) like any other caller's,
so a wrong one is a message on the page, not a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from touchpoints.web.i18n import N_

# The dimensions a page filters on, in the order the filter bar shows them.
FILTERED = ("channel", "stage", "touchpoint", "segment", "region", "variant")
PERIODS = ("day", "week", "month", "quarter", "year")
# Their names on the pages, for the catalog (the templates translate them as variables).
WORDS = (
    *(N_("channel"), N_("stage"), N_("touchpoint"), N_("segment"), N_("region")),
    *(N_("variant"), N_("day"), N_("week"), N_("month"), N_("quarter"), N_("year")),
    *(N_("admin"), N_("analyst"), N_("agent"), N_("viewer")),
)


@dataclass(frozen=True)
class Filters:
    """The period of the trends, the dates, and one value per filtered dimension."""

    period: str = "month"
    since: str | None = None
    until: str | None = None
    where: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """The filters in a request's query string; empty values are no filter."""
        where = {d: params[d].strip() for d in FILTERED if params.get(d, "").strip()}
        period = params.get("period", "").strip() or "month"
        return cls(
            period=period,
            since=params.get("since", "").strip() or None,
            until=params.get("until", "").strip() or None,
            where=where,
        )

    def selection(self, *, period: bool = False) -> dict[str, Any]:
        """The filters as a service's keyword arguments (``period`` too when asked)."""
        found: dict[str, Any] = {
            "since": self.since,
            "until": self.until,
            "where": [f"{k}={v}" for k, v in self.where.items()],
        }
        if period:
            found["period"] = self.period
        return found

    def params(self) -> dict[str, str]:
        """The filters as query parameters (those set only)."""
        found = {"period": self.period} if self.period != "month" else {}
        found |= {k: v for k, v in (("since", self.since), ("until", self.until)) if v}
        return found | self.where

    def query(self, **extra: Any) -> str:
        """``?…`` for a link that keeps these filters; ``extra`` adds or replaces parameters
        (``None`` removes one)."""
        merged: dict[str, Any] = {**self.params(), **extra}
        kept = {k: str(v) for k, v in merged.items() if v is not None}
        return "?" + urlencode(kept) if kept else ""

    def narrowed(self, **where: str | None) -> Filters:
        """These filters with dimensions set (or removed with ``None``): a drill-down's."""
        found = dict(self.where)
        for key, value in where.items():
            if value is None:
                found.pop(key, None)
            else:
                found[key] = value
        return replace(self, where=found)

    def spanning(self, since: str | None, until: str | None) -> Filters:
        """These filters over other dates (a drill-down into one period of a trend)."""
        return replace(self, since=since, until=until)
