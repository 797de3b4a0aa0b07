"""What a metrics question asks: dimensions, period, dates and filters, checked at the door.

Kept apart from the engine code so that the command line can parse and check a question
without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from touchpoints.errors import UserInputError

DIMENSIONS = ("channel", "touchpoint", "stage", "segment", "region", "variant", "brand")
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


@dataclass(frozen=True)
class MetricsQuery:
    by: tuple[str, ...] = ()
    period: str | None = None
    since: date | None = None
    until: date | None = None
    where: dict[str, str] = field(default_factory=dict)
    relationship: bool = False  # only answers with neither channel nor touchpoint

    def check(self) -> None:
        unknown = [d for d in (*self.by, *self.where) if d not in DIMENSIONS]
        if unknown:
            raise UserInputError(
                f"unknown dimension {', '.join(map(repr, unknown))} "
                f"(dimensions: {', '.join(DIMENSIONS)})"
            )
        if self.period is not None and self.period not in PERIODS:
            raise UserInputError(f"unknown period '{self.period}' (periods: {', '.join(PERIODS)})")
        if self.since and self.until and self.since > self.until:
            raise UserInputError(f"--since {self.since} is after --until {self.until}")
