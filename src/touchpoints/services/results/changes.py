"""``touchpoints changes``: the comparisons made, each with its test and q-value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Result, Row, TableView, View, text, with_interval


@dataclass(frozen=True)
class Tested(Row):
    """A tested difference: its interval, p and Benjamini–Hochberg q, and whether q is
    below 1 − confidence. Shared by ``changes`` and ``benchmark`` rows."""

    difference: float
    low: float
    high: float
    p: float
    q: float
    significant: bool

    def cells(self) -> tuple[Cell, Cell]:
        """``+3.2 [1.0, 5.4]`` and the q-value, ``(n.s.)`` when not significant."""
        q = f"{self.q:.3g}" + ("" if self.significant else " (n.s.)")
        return Cell(with_interval(self.difference, self.low, self.high, "+.1f")), Cell(q)


@dataclass(frozen=True)
class Change(Row):
    """One comparison: ``after − before`` within ``scope`` (the group, and the period with
    what it is compared with), with its test."""

    scope: dict[str, Any]
    metric: str
    before: float
    after: float
    test: Tested


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
                *c.test.cells(),
            )
            for c in self.changes
        )
        columns = ("scope", "metric", "before", "after", "difference [interval]", "q")
        title = f"{len(self.changes)} change(s), Benjamini–Hochberg q-values"
        return [TableView(title, columns, rows)]
