"""How the CLI speaks: tables for people, JSON/CSV for scripts, one line per error."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from touchpoints.errors import ModelError, TouchpointsError

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class HumanOrJson(StrEnum):
    table = "table"
    json = "json"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_csv(rows: list[dict[str, Any]]) -> None:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})


def print_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(_cell(row.get(c))) for c in columns))
    console.print(table)


def with_interval(
    value: float | None, low: float | None, high: float | None, spec: str = ".1f"
) -> str:
    """``72.3 [71.8, 72.9]``: a figure with its interval; ``—`` without a value, and no
    brackets without an interval."""
    if value is None:
        return "—"
    text = format(value, spec)
    if low is None or high is None:
        return text
    bound = spec.lstrip("+")  # a sign on the figure (a gap), not on its bounds
    return f"{text} [{format(low, bound)}, {format(high, bound)}]"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@contextmanager
def reporting(fmt: Enum | None = None) -> Iterator[None]:
    """Turn a deliberate error into a clear message and exit code 1 (no traceback)."""
    try:
        yield
    except TouchpointsError as exc:
        source, problems = (exc.source, exc.problems) if isinstance(exc, ModelError) else ("", [])
        if fmt is not None and fmt.value == "json":
            payload: dict[str, Any] = {"error": str(exc)}
            if problems:
                payload["problems"] = problems
            print_json(payload)
        if problems:
            errors.print(f"[red]error:[/] {escape(source)}: {len(problems)} problem(s)")
            for problem in problems:
                errors.print(f"  {escape(problem)}")
        else:
            errors.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
