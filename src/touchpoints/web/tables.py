"""Tables on pages, and the exports behind them: every table downloads as CSV and XLSX.

A page lays a result out as a :class:`Table` of :class:`Cell` (a text, the link of the records
behind it, greyed when too thin). A table names its export, declared once with
:func:`exporter`: the function that returns the rows of the same result for the same filters
(the service's flat ``records()``). ``/export/NAME.csv`` or ``.xlsx`` with the page's
filters downloads them, formulas neutralised (:mod:`touchpoints.services.render`), and the
audit log records who exported what.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from touchpoints.services.access import FIGURES, operations
from touchpoints.services.render import csv_text, xlsx_bytes
from touchpoints.web.pages import PageContext, PageRefused, context

router = APIRouter(include_in_schema=False)

Sheets = list[tuple[str, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Cell:
    """A cell: its text, the records behind it, greyed (too few answers), right-aligned
    (a figure) and a mark (``weakest``, ``improved``, ``up``, ``down``)."""

    text: str
    link: str | None = None
    dim: bool = False
    number: bool = False
    mark: str | None = None


@dataclass(frozen=True)
class Table:
    """A titled table; ``export`` names its :func:`exporter`."""

    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]
    export: str | None = None
    notes: tuple[str, ...] = field(default=())
    query: str | None = None  # the filters of the export, when not the page's


@dataclass(frozen=True)
class Exporter:
    build: Callable[[PageContext], Sheets]
    permission: frozenset[str]


EXPORTS: dict[str, Exporter] = {}


def exporter(
    name: str, permission: frozenset[str] = FIGURES
) -> Callable[[Callable[[PageContext], Sheets]], Callable[[PageContext], Sheets]]:
    """Declare the rows behind a table, for ``/export/NAME.csv`` and ``.xlsx``."""

    def declare(build: Callable[[PageContext], Sheets]) -> Callable[[PageContext], Sheets]:
        EXPORTS[name] = Exporter(build, permission)
        return build

    return declare


def number(value: float | None, spec: str = ".1f") -> str:
    """A figure as text; — when missing."""
    return "—" if value is None else format(value, spec)


@router.get("/export/{name}.{fmt}")
def export(name: str, fmt: str, request: Request) -> Response:
    """The rows behind a page's table, as CSV or XLSX, for the page's filters."""
    found = context(request)
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise PageRefused(404, found._("No such export."))
    chosen = EXPORTS[name]
    if not found.viewer.may(chosen.permission):
        raise PageRefused(403, found._("Your role may not export these rows."))
    sheets = chosen.build(found)
    operations(found.workspace).log(f"user:{found.viewer.name}", "export", f"{name}.{fmt}")
    disposition = {"Content-Disposition": f'attachment; filename="touchpoints-{name}.{fmt}"'}
    if fmt == "csv":
        rows = sheets[0][1] if sheets else []
        return Response(csv_text(rows), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(
        xlsx_bytes(sheets),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )
