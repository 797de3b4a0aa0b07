"""The analytical warehouse: a DuckDB file, the implementation of the storage contract.

:class:`Warehouse` implements :class:`~touchpoints.storage.contract.Store`: writes (ingestion)
run DuckDB SQL inside :meth:`Warehouse.transaction`; reads that later capabilities express
once, for any engine, go through :meth:`Warehouse.ibis`; :meth:`Warehouse.span`,
:meth:`Warehouse.counts` and :meth:`Warehouse.count` answer summaries with plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from touchpoints.errors import WorkspaceError
from touchpoints.storage.migrations import current_version, migrate


def _quote(name: str) -> str:
    """``name`` as one quoted SQL identifier: whatever it holds, it names, never executes."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise LookupError(f"not a table or column name: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _utc(value: Any) -> Any:
    """A timestamp as an aware UTC datetime (stored timestamps are UTC); other values as-is."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


class Warehouse:
    """An open warehouse; use as a context manager so the file lock is released."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise WorkspaceError(
                f"cannot open the warehouse {path}: {str(exc).splitlines()[0]} "
                "(is another touchpoints command using it?)"
            ) from None
        # Stored timestamps are UTC; rendering them in UTC keeps exports reproducible.
        self.con.execute("SET TimeZone = 'UTC'")
        # Rows carry their own order (ids, timestamps, row numbers): letting DuckDB write in
        # any order makes large inserts and temporary tables markedly faster.
        self.con.execute("SET preserve_insertion_order = false")
        # Long queries draw a progress bar on the terminal; the CLI shows its own.
        self.con.execute("SET enable_progress_bar = false")
        migrate(self.con)
        self._ibis: Any = None

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def schema_version(self) -> int:
        return current_version(self.con)

    def ibis(self) -> Any:
        """An Ibis backend over this connection (same transaction view, no second lock)."""
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def records(self, query: str) -> list[dict[str, Any]]:
        """Rows of a SQL query as dicts, from DuckDB's cursor (no pandas): see
        :meth:`Store.records`."""
        cursor = self.con.execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def span(self, table: str, column: str) -> tuple[int, Any, Any]:
        """Rows, and min and max of ``column``: see :meth:`Store.span`."""
        col = _quote(column)
        row = self._one(table, column, f"SELECT count(*), min({col}), max({col}) FROM {{}}")
        return int(row[0]), _utc(row[1]), _utc(row[2])

    def counts(self, table: str, column: str) -> dict[str, int]:
        """Rows per non-NULL value of ``column``: see :meth:`Store.counts`."""
        col = _quote(column)
        sql = (
            f"SELECT CAST({col} AS VARCHAR) AS v, count(*) FROM {{}} "
            f"WHERE {col} IS NOT NULL GROUP BY v ORDER BY v"
        )
        return {str(value): int(n) for value, n in self._all(table, column, sql)}

    def count(self, table: str) -> int:
        """Rows of ``table``: see :meth:`Store.count`."""
        return int(self._one(table, None, "SELECT count(*) FROM {}")[0])

    def _all(self, table: str, column: str | None, sql: str) -> list[Any]:
        """Run ``sql`` with the quoted ``table`` in its ``{}``; unknown names: LookupError."""
        try:
            return list(self.con.execute(sql.format(_quote(table))).fetchall())
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            named = table if column is None else f"{table}.{column}"
            raise LookupError(f"{self.name}: no {named!r}: {str(exc).splitlines()[0]}") from None

    def _one(self, table: str, column: str | None, sql: str) -> Any:
        return self._all(table, column, sql)[0]

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writes: see :meth:`Store.transaction`.

        DuckDB keeps a transaction's rows out of the file until COMMIT, so a process killed
        inside the block leaves the warehouse as it was.
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
