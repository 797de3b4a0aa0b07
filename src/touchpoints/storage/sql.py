"""Small helpers to write DuckDB SQL from Python values safely (the warehouse's dialect)."""

from __future__ import annotations

from numbers import Real
from typing import Any


def ident(name: str) -> str:
    """A quoted SQL identifier (column names may hold dots, spaces, Chinese)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def lit_list(values: list[str]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def scalar(con: Any, query: str, params: list[Any] | None = None) -> Any:
    """The single value a query returns."""
    row = con.execute(query, params or []).fetchone()
    return None if row is None else row[0]


class Expr:
    """A SQL expression that Python's operators combine into SQL text.

    The scoring rules (:mod:`touchpoints.core.rules`) are written with operators, so they
    apply to an ``Expr`` exactly as to a number, a numpy array or an Ibis column: one
    definition of "promoter" or "top-2 box", whichever engine counts.

    >>> from touchpoints.core.rules import is_top_box, rescale
    >>> is_top_box(Expr("csat"), (1, 5)).sql
    '(csat > 3)'
    >>> rescale(Expr("avg(csat)"), (1, 5)).sql
    '(((avg(csat) - 1) / 4) * 100)'
    """

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def _op(self, op: str, other: object, *, swap: bool = False) -> Expr:
        if isinstance(other, Expr):
            text = other.sql
        elif isinstance(other, Real) and not isinstance(other, bool):
            text = str(other)  # numbers only: never text into SQL
        else:
            raise TypeError(f"cannot combine a SQL expression with {other!r}")
        left, right = (text, self.sql) if swap else (self.sql, text)
        return Expr(f"({left} {op} {right})")

    def __ge__(self, other: object) -> Expr:
        return self._op(">=", other)

    def __le__(self, other: object) -> Expr:
        return self._op("<=", other)

    def __gt__(self, other: object) -> Expr:
        return self._op(">", other)

    def __lt__(self, other: object) -> Expr:
        return self._op("<", other)

    def __add__(self, other: object) -> Expr:
        return self._op("+", other)

    def __sub__(self, other: object) -> Expr:
        return self._op("-", other)

    def __rsub__(self, other: object) -> Expr:
        return self._op("-", other, swap=True)

    def __mul__(self, other: object) -> Expr:
        return self._op("*", other)

    def __truediv__(self, other: object) -> Expr:
        return self._op("/", other)

    def __repr__(self) -> str:
        return f"Expr({self.sql!r})"
