"""``touchpoints items``: each rated item per group, and the CSI per group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Result, Row, TableView, View, text, with_interval
from touchpoints.services.results.metrics import flat_methods


@dataclass(frozen=True)
class ItemRow(Row):
    """One item in one group: mean (t interval), top-2 and bottom-2 box shares (Wilson
    intervals, percent) and the mean rescaled to 0–100; ``insufficient`` below ``min_n``.
    Intervals are customer-clustered: ``customers`` behind the n, and per figure its
    ``method`` and ``design_effect``."""

    group: dict[str, Any]
    item: str
    n: int
    customers: int
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    top_box: float | None
    top_box_low: float | None
    top_box_high: float | None
    bottom_box: float | None
    bottom_box_low: float | None
    bottom_box_high: float | None
    score: float
    insufficient: bool
    method: dict[str, str]
    design_effect: dict[str, float | None]


@dataclass(frozen=True)
class CsiRow(Row):
    """One group's CSI (0–100) with its bootstrap interval over customers (METRICS.md,
    *Inference*)."""

    group: dict[str, Any]
    csi: float | None
    low: float | None
    high: float | None
    n: int
    insufficient: bool
    method: str


@dataclass(frozen=True, repr=False)
class ItemsResult(Result):
    """Per group and item the figures of :class:`ItemRow`; per group the :class:`CsiRow`;
    ``weights``: each item's share of the CSI."""

    keys: tuple[str, ...]
    scale: tuple[int, int]
    weights: dict[str, float]
    items: tuple[ItemRow, ...]
    csi: tuple[CsiRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": list(self.scale),
            "weights": self.weights,
            "items": [r.to_dict() for r in self.items],
            "csi": [r.to_dict() for r in self.csi],
        }

    def records(self) -> list[dict[str, Any]]:
        return [flat_methods(r.to_dict()) for r in self.items]

    def views(self) -> list[View]:
        keys = list(self.keys)
        low, high = self.scale
        columns = (*keys, "item", "n", "mean [interval]", "score", "top-2 %", "bottom-2 %")
        rows = []
        for r in self.items:
            figures = [
                with_interval(r.mean, r.mean_low, r.mean_high, ".2f"),
                f"{r.score:.1f}",
                text(None if r.top_box is None else f"{r.top_box:.1f}"),
                text(None if r.bottom_box is None else f"{r.bottom_box:.1f}"),
            ]
            rows.append(
                (
                    *(Cell(text(r.group.get(k))) for k in keys),
                    Cell(r.item),
                    Cell(f"{r.n:,}"),
                    *(Cell(f, dim=r.insufficient) for f in figures),
                )
            )
        table = TableView(
            f"Items on {low}–{high}; grey: fewer answers than min_n",
            columns,
            tuple(rows),
            tuple("left" if c in (*keys, "item") else "right" for c in columns),
        )
        weights = ", ".join(f"{k} {v:.0%}" for k, v in self.weights.items())
        index = TableView(
            f"CSI (0–100), weights: {weights}",
            (*keys, "CSI [interval]", "respondents"),
            tuple(
                (
                    *(Cell(text(r.group.get(k))) for k in keys),
                    Cell(with_interval(r.csi, r.low, r.high), dim=r.insufficient),
                    Cell(f"{r.n:,}"),
                )
                for r in self.csi
            ),
        )
        return [table, index]
