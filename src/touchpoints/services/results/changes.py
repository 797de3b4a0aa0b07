"""``touchpoints changes``: the comparisons made, each with its test and q-value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Result, Row, TableView, View, text, with_interval


@dataclass(frozen=True)
class Change(Row):
    """One comparison: ``after − before`` within ``scope`` (the group, and the period with
    what it is compared with), its interval, p and Benjamini–Hochberg q."""

    scope: dict[str, Any]
    metric: str
    before: float
    after: float
    difference: float
    low: float
    high: float
    p: float
    q: float
    significant: bool


def q_cell(q: float, significant: bool) -> Cell:
    return Cell(f"{q:.3g}" + ("" if significant else " (n.s.)"))


@dataclass(frozen=True, repr=False)
class ChangesResult(Result):
    """The movements found; only the significant ones unless every one was asked for."""

    changes: tuple[Change, ...]

    def to_dict(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.changes]

    def records(self) -> list[dict[str, Any]]:
        """The scope's keys as columns of their own."""
        return [
            c.scope | {k: v for k, v in c.to_dict().items() if k != "scope"} for c in self.changes
        ]

    def views(self) -> list[View]:
        rows = tuple(
            (
                Cell(text(c.scope)),
                Cell(c.metric),
                Cell(f"{c.before:.1f}"),
                Cell(f"{c.after:.1f}"),
                Cell(with_interval(c.difference, c.low, c.high, "+.1f")),
                q_cell(c.q, c.significant),
            )
            for c in self.changes
        )
        columns = ("scope", "metric", "before", "after", "difference [interval]", "q")
        title = f"{len(self.changes)} change(s), Benjamini–Hochberg q-values"
        return [TableView(title, columns, rows)]
