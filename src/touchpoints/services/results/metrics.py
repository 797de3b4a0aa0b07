"""``touchpoints metrics``: one row of figures per group (CONTRACTS.md, *Metrics output*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Result, Row, TableView, View, text, with_interval

# (figure, has an interval in the JSON, the column a person reads it under)
FIGURES = (
    ("nps", True, "NPS"),
    ("csat", True, "CSAT %"),
    ("csat_mean", True, "CSAT mean"),
    ("ces_mean", False, "CES mean"),
    ("ces_agree", False, "CES agree %"),
)


@dataclass(frozen=True)
class MetricsRow(Row):
    """One group's figures. ``group`` holds its keys (dimensions, then ``period``); a figure
    with no answers is ``None``; ``insufficient`` names the figures below ``min_n``."""

    group: dict[str, Any]
    n: int
    n_nps: int
    n_csat: int
    n_ces: int
    nps: float | None
    nps_low: float | None
    nps_high: float | None
    csat: float | None
    csat_low: float | None
    csat_high: float | None
    csat_mean: float | None
    csat_mean_low: float | None
    csat_mean_high: float | None
    ces_mean: float | None
    ces_agree: float | None
    insufficient: tuple[str, ...]

    def cells(self, keys: list[str]) -> tuple[Cell, ...]:
        """The row as a person reads it: each figure with its interval, grey when thin."""
        found = [Cell(text(self.group.get(k))) for k in keys] + [Cell(str(self.n))]
        for name, interval, _ in FIGURES:
            value = getattr(self, name)
            low, high = (
                (getattr(self, f"{name}_low"), getattr(self, f"{name}_high"))
                if interval and name != "csat_mean"
                else (None, None)
            )
            thin = value is not None and name in self.insufficient
            found.append(Cell(with_interval(value, low, high), dim=thin))
        return tuple(found)


def metrics_view(title: str, keys: list[str], rows: tuple[MetricsRow, ...]) -> TableView:
    """The metrics table: group keys, n, then each figure with its interval."""
    columns = (*keys, "n", *(label for _, _, label in FIGURES))
    return TableView(
        title=title,
        columns=columns,
        rows=tuple(r.cells(keys) for r in rows),
        align=tuple("left" if c in keys else "right" for c in columns),
    )


@dataclass(frozen=True, repr=False)
class MetricsResult(Result):
    """NPS, CSAT and CES per group, each with n and interval."""

    keys: tuple[str, ...]
    rows: tuple[MetricsRow, ...]

    def to_dict(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return self.to_dict()

    def views(self) -> list[View]:
        title = f"{len(self.rows)} group(s); grey: fewer answers than min_n"
        return [metrics_view(title, list(self.keys), self.rows)]
