"""``touchpoints items``: each rated item per group, and the CSI per group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Result, TableView, View, text, with_interval


@dataclass(frozen=True, repr=False)
class ItemsResult(Result):
    """``items``: per group and item ``n, mean, top_box, bottom_box`` (each with ``_low`` and
    ``_high``), ``score`` (0–100) and ``insufficient``; ``csi``: per group ``csi, low, high,
    n, insufficient, method``; ``weights``: each item's share of the CSI."""

    keys: tuple[str, ...]
    scale: tuple[int, int]
    weights: dict[str, float]
    items: tuple[dict[str, Any], ...]
    csi: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": list(self.scale),
            "weights": self.weights,
            "items": [dict(r) for r in self.items],
            "csi": [dict(r) for r in self.csi],
        }

    def records(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.items]

    def views(self) -> list[View]:
        keys = list(self.keys)
        low, high = self.scale
        columns = (*keys, "item", "n", "mean [interval]", "score", "top-2 %", "bottom-2 %")
        rows = []
        for r in self.items:
            figures = [
                with_interval(r["mean"], r["mean_low"], r["mean_high"], ".2f"),
                f"{r['score']:.1f}",
                f"{r['top_box']:.1f}",
                f"{r['bottom_box']:.1f}",
            ]
            rows.append(
                (
                    *tuple(Cell(text(r.get(k))) for k in keys),
                    Cell(r["item"]),
                    Cell(f"{r['n']:,}"),
                    *tuple(Cell(f, dim=r["insufficient"]) for f in figures),
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
                    *tuple(Cell(text(r.get(k))) for k in keys),
                    Cell(with_interval(r["csi"], r["low"], r["high"]), dim=r["insufficient"]),
                    Cell(f"{r['n']:,}"),
                )
                for r in self.csi
            ),
        )
        return [table, index]
