"""The one protocol every result follows, in the spirit of lifelines' ``StatisticalResult``.

A result is a frozen object. Whoever holds one — the command line, the REST API, a page, a
notebook — asks it the same four things:

- ``to_dict()``: plain JSON data, exactly the shapes pinned in CONTRACTS.md;
- ``records()``: flat rows (one dict per row, no nesting) for CSV and spreadsheets;
- ``to_frame()``: those rows as a pandas frame (pandas is imported there, not before);
- ``views()``: what a renderer draws — titled tables of text cells and notes — so that the
  figures are formatted once, whichever interface draws them;

and its ``repr`` reads like the table a person would see. Interfaces hold no formatting of
their own beyond drawing a :class:`TableView`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Cell:
    """One cell of a view: its text, and whether it is greyed out (too few answers)."""

    text: str
    dim: bool = False


@dataclass(frozen=True)
class TableView:
    """A titled table of text cells; ``align`` is ``left`` or ``right`` per column."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def aligned(self, index: int) -> str:
        return self.align[index] if index < len(self.align) else "left"


@dataclass(frozen=True)
class Note:
    """A line of text beside the tables (a method, a caveat, what to run next)."""

    text: str
    dim: bool = False


View = TableView | Note


def cells(values: Sequence[Any], *, dim: bool = False) -> tuple[Cell, ...]:
    """Cells of ``values`` as text; ``None`` shows as ``—``."""
    return tuple(Cell(text(v), dim) for v in values)


def text(value: Any) -> str:
    """A value as a person reads it in a table cell."""
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def with_interval(
    value: float | None, low: float | None, high: float | None, spec: str = ".1f"
) -> str:
    """``72.3 [71.8, 72.9]``: a figure with its interval; ``—`` without a value, and no
    brackets without an interval.

    >>> with_interval(72.25, 71.8, 72.9)
    '72.2 [71.8, 72.9]'
    >>> with_interval(-3.0, -5.0, -1.0, "+.1f")
    '-3.0 [-5.0, -1.0]'
    >>> with_interval(None, None, None)
    '—'
    """
    if value is None:
        return "—"
    figure = format(value, spec)
    if low is None or high is None:
        return figure
    bound = spec.lstrip("+")  # a sign on the figure (a gap), not on its bounds
    return f"{figure} [{format(low, bound)}, {format(high, bound)}]"


@dataclass(frozen=True)
class Row:
    """A typed row of a result: its fields in JSON order.

    A field named ``group`` holds the row's group keys (dimensions, ``period``), and a field
    holding another row holds fields several rows share (a test's difference, interval, p
    and q); both are spread into the row, as the pinned shapes have them. Tuples become
    lists.
    """

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "group":
                out |= value
            elif isinstance(value, Row):
                out |= value.to_dict()
            else:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


class Result(ABC):
    """Base of every result; subclasses are (frozen) dataclasses that implement
    :meth:`to_dict`, :meth:`records` and :meth:`views`."""

    @abstractmethod
    def to_dict(self) -> Any:
        """Plain JSON data: the shape CONTRACTS.md pins."""

    @abstractmethod
    def records(self) -> list[dict[str, Any]]:
        """Flat rows (no nested values) for CSV and frames."""

    @abstractmethod
    def views(self) -> list[View]:
        """What a renderer draws: tables of text cells and notes."""

    def to_frame(self) -> pd.DataFrame:
        """The flat rows as a frame: lists in a cell stay lists."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def __repr__(self) -> str:
        return render_text(self.views())


@dataclass(frozen=True, repr=False)
class Records(Result):
    """A plain list of records, for results with no structure beyond their rows."""

    rows: tuple[dict[str, Any], ...] = ()
    title: str = ""
    columns: tuple[str, ...] = field(default=())

    def to_dict(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return self.to_dict()

    def views(self) -> list[View]:
        columns = self.columns or tuple(dict.fromkeys(k for r in self.rows for k in r))
        body = tuple(cells([r.get(c) for c in columns]) for r in self.rows)
        return [TableView(self.title, columns, body)]


def render_text(views: Sequence[View]) -> str:
    """Views as plain text (a ``repr``, a log line): columns padded, no colours."""
    out: list[str] = []
    for view in views:
        if isinstance(view, Note):
            out.append(view.text)
            continue
        if view.title:
            out.append(view.title)
        grid = [list(view.columns), *([c.text.replace("\n", "; ") for c in r] for r in view.rows)]
        widths = [max(len(row[i]) for row in grid) for i in range(len(view.columns))]
        for row in grid:
            out.append(
                "  ".join(
                    cell.rjust(w) if view.aligned(i) == "right" else cell.ljust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
        out.extend(view.notes)
    return "\n".join(out)
