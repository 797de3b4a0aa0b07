"""The analytical warehouse: a DuckDB file reached through Ibis for reads.

Writes (ingestion) use DuckDB SQL directly because they need explicit transactions; reads
that later capabilities express once, for any engine, go through :meth:`Warehouse.ibis`.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from touchpoints.errors import WorkspaceError
from touchpoints.warehouse.migrations import current_version, migrate


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
    def schema_version(self) -> int:
        return current_version(self.con)

    def ibis(self) -> Any:
        """An Ibis backend over this connection (same transaction view, no second lock)."""
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

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
