"""Small helpers to write DuckDB SQL from Python values safely."""

from __future__ import annotations

from typing import Any


def ident(name: str) -> str:
    """A quoted SQL identifier (column names may hold dots, spaces, Chinese)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def lit_list(values: list[str]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def recode(expr: str, values: dict[str, str | None]) -> str:
    """``expr`` with exact values replaced (``None`` makes a value missing)."""
    if not values:
        return expr
    whens = " ".join(
        f"WHEN {lit(k)} THEN {lit(v) if v is not None else 'NULL'}" for k, v in values.items()
    )
    return f"(CASE {expr} {whens} ELSE {expr} END)"


def scalar(con: Any, query: str, params: list[Any] | None = None) -> Any:
    """The single value a query returns."""
    row = con.execute(query, params or []).fetchone()
    return None if row is None else row[0]
