"""``touchpoints metrics``: one row of figures per group (CONTRACTS.md, *Metrics output*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Note, Result, Row, TableView, View, text, with_interval

# (figure, has an interval in the JSON, the column a person reads it under)
FIGURES = (
    ("nps", True, "NPS"),
    ("csat", True, "CSAT %"),
    ("csat_mean", True, "CSAT mean"),
    ("ces_mean", True, "CES mean"),
    ("ces_agree", True, "CES agree %"),
)
# The table leaves the means' intervals to JSON, for width.
NARROW = ("csat_mean", "ces_mean")
SURVEYS = {
    "all": "touchpoint and relationship surveys pooled",
    "transactional": "touchpoint (transactional) surveys only",
    "relationship": "relationship surveys only (no channel or touchpoint)",
}


@dataclass(frozen=True)
class MetricsRow(Row):
    """One group's figures. ``group`` holds its keys (dimensions, then ``period``); a figure
    with no answers is ``None``; ``insufficient`` names the figures below ``min_n``.
    ``method`` and ``design_effect`` map each figure to its interval's method and the
    customer clustering's design effect; ``clipped`` names the intervals cut at the scale's
    ends; ``customers`` counts the clusters behind ``n``; ``survey`` says which answers were
    pooled."""

    group: dict[str, Any]
    n: int
    customers: int
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
    ces_mean_low: float | None
    ces_mean_high: float | None
    ces_agree: float | None
    ces_agree_low: float | None
    ces_agree_high: float | None
    insufficient: tuple[str, ...]
    method: dict[str, str]
    design_effect: dict[str, float | None]
    clipped: tuple[str, ...]
    survey: str

    def cells(self, keys: list[str]) -> tuple[Cell, ...]:
        """The row as a person reads it: each figure with its interval, grey when thin."""
        found = [Cell(text(self.group.get(k))) for k in keys] + [Cell(str(self.n))]
        for name, interval, _ in FIGURES:
            value = getattr(self, name)
            low, high = (
                (getattr(self, f"{name}_low"), getattr(self, f"{name}_high"))
                if interval and name not in NARROW
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

    survey: str = "all"

    def to_dict(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Flat rows: each figure's method and design effect as columns of their own."""
        return [flat_methods(row) for row in self.to_dict()]

    def views(self) -> list[View]:
        title = f"{len(self.rows)} group(s); grey: fewer answers than min_n"
        table = metrics_view(title, list(self.keys), self.rows)
        return [table, *(Note(line, dim=True) for line in footnotes(self.survey))]


def flat_methods(row: dict[str, Any]) -> dict[str, Any]:
    """A row whose ``method`` and ``design_effect`` map figures to values, with them as
    columns of their own (``nps_method``, ``nps_design_effect`` …), for CSV."""
    methods, effects = row.pop("method"), row.pop("design_effect")
    for name in methods:
        row[f"{name}_method"], row[f"{name}_design_effect"] = methods[name], effects[name]
    return row


def footnotes(survey: str) -> tuple[str, ...]:
    """What a person needs to read the table's intervals: which answers, which methods."""
    return (
        f"Answers: {SURVEYS[survey]}; --survey all | transactional | relationship (default all).",
        "Intervals: each customer is a cluster (design effects in --format json).",
        "NPS: Wald (Rocks 2016 below min_n); shares: Wilson at the effective n; "
        "means: t on customers − 1 df, clipped to the scale.",
    )
