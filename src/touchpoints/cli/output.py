"""How the command line speaks: every result drawn by one renderer, every error in one line.

Each data command declares its output option once (:data:`FormatOpt`) and hands its result
to :func:`emit` — the pattern of sqlite-utils' ``output_options``/``output_rows``. Tables are
drawn from the result's views with rich; JSON and CSV come from
:mod:`touchpoints.services.render`, the same text the API serves.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from touchpoints.core.result import Note, Result, TableView, View
from touchpoints.errors import ModelError, TouchpointsError
from touchpoints.services.render import csv_text, json_text

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[
    Format, typer.Option("--format", help="table for people; json or csv for scripts.")
]

# Domain parameter → the option that sets it, where the two are spelled differently.
FLAGS = {"weights": "--weight", "items": "--item", "references": "--reference"}


def flag(param: str) -> str:
    """The command-line spelling of a domain parameter: ``since`` → ``--since``."""
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))


def draw(views: list[View]) -> None:
    """A result's views, as rich tables and lines; grey where the figure is too thin."""
    for view in views:
        if isinstance(view, Note):
            console.print(f"[dim]{escape(view.text)}[/]" if view.dim else escape(view.text))
            continue
        draw_table(view)


def draw_table(view: TableView) -> None:
    table = Table(title=escape(view.title) or None, title_justify="left")
    for i, column in enumerate(view.columns):
        table.add_column(escape(column), justify="right" if view.aligned(i) == "right" else "left")
    for row in view.rows:
        table.add_row(*(f"[dim]{escape(c.text)}[/]" if c.dim else escape(c.text) for c in row))
    console.print(table)
    for note in view.notes:
        console.print(f"[dim]{escape(note)}[/]")


def emit(result: Result, fmt: Enum = Format.table) -> None:
    """Print ``result`` as the user asked: a table, its pinned JSON, or spreadsheet-safe CSV."""
    if fmt.value == "json":
        sys.stdout.write(json_text(result))
    elif fmt.value == "csv":
        sys.stdout.write(csv_text(result.records()))
    else:
        draw(result.views())


@contextmanager
def reporting(fmt: Enum | None = None) -> Iterator[None]:
    """Turn a deliberate error, or one the machine raised (a full disk, a missing permission),
    into a clear message and exit code 1 (no traceback).

    Parameters named in a message (``{by}``) are spelled as this interface spells them
    (``--by``). Anything else is a bug and keeps its traceback.
    """
    try:
        yield
    except TouchpointsError as exc:
        source, problems = (exc.source, exc.problems) if isinstance(exc, ModelError) else ("", [])
        _fail(exc.render(flag), fmt, source, problems)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}", fmt)


def _fail(
    message: str, fmt: Enum | None, source: str = "", problems: list[str] | None = None
) -> None:
    if fmt is not None and fmt.value == "json":
        payload: dict[str, Any] = {"error": message}
        if problems:
            payload["problems"] = problems
        print_json(payload)
    if problems:
        errors.print(f"[red]error:[/] {escape(source)}: {len(problems)} problem(s)")
        for problem in problems:
            errors.print(f"  {escape(problem)}")
    else:
        errors.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(1) from None
