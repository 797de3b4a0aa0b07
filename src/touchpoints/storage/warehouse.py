"""The analytical warehouse: a DuckDB file, the implementation of the storage contract.

:class:`Warehouse` implements :class:`~touchpoints.storage.contract.Store`: writes (ingestion)
run DuckDB SQL inside :meth:`Warehouse.transaction`; reads that later capabilities express
once, for any engine, go through :meth:`Warehouse.ibis`; :meth:`Warehouse.span`,
:meth:`Warehouse.counts` and :meth:`Warehouse.count` answer summaries with plain SQL.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import duckdb

from touchpoints.errors import WorkspaceError
from touchpoints.storage.locks import lock_of
from touchpoints.storage.migrations import LATEST, current_version, migrate
from touchpoints.storage.sql import lit, scalar

# How long a command waits for a lock another touchpoints process holds (an ingest holds the
# write lock only while it stores a file); TOUCHPOINTS_LOCK_WAIT (seconds) overrides it.
LOCK_WAIT_S = 120.0
# DuckDB's memory for an ingest; beyond it, work spills to the workspace's scratch folder, so
# a file of any size fits (TOUCHPOINTS_MEMORY_LIMIT overrides, in DuckDB's units: "4GB").
MEMORY_LIMIT = "2GB"
T = TypeVar("T")
_HELD_BY = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def _quote(name: str) -> str:
    """``name`` as one quoted SQL identifier: whatever it holds, it names, never executes."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise LookupError(f"not a table or column name: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _command_of(pid: int) -> str:
    """What process ``pid`` runs, for the message (``touchpoints ingest …``), if the OS says."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    text = [w.decode(errors="replace") for w in words if w]
    start = next(
        (i for i, w in enumerate(text[:3]) if w == "touchpoints" or w.endswith("/touchpoints")),
        None,
    )
    if start is None:
        return Path(text[0]).name if text else ""
    return " ".join(["touchpoints", *text[start + 1 : start + 2]])


def _problem(path: Path, exc: duckdb.Error) -> tuple[str, bool]:
    """What went wrong opening ``path``, in one line, and whether waiting could help.

    DuckDB's own messages mix several causes; users need to know which: another process holds
    the lock (which one), the file is not a warehouse, or they may not read or write it.
    """
    text = str(exc).removeprefix("IO Error: ").splitlines()[0]
    held = _HELD_BY.search(text)
    if held:
        pid = int(held.group(2))
        who = _command_of(pid) or Path(held.group(1)).name
        return f"the warehouse {path} is locked by PID {pid} ({who})", True
    if "Permission denied" in text:
        return f"no permission to open the warehouse {path} ({text})", False
    if "not a valid DuckDB database" in text or isinstance(exc, duckdb.SerializationException):
        return f"{path} is not a readable touchpoints warehouse: corrupt or not DuckDB", False
    if "does not exist" in text:
        return f"no warehouse at {path}: create the workspace with `touchpoints init`", False
    return f"cannot open the warehouse {path}: {text}", False


def _wait() -> float:
    try:
        return float(os.environ.get("TOUCHPOINTS_LOCK_WAIT", LOCK_WAIT_S))
    except ValueError:
        return LOCK_WAIT_S


def retrying(path: Path, opening: Callable[[], T]) -> T:
    """``opening()``, tried again while another process holds the lock (up to the wait),
    with every failure turned into one clear :class:`WorkspaceError`."""
    deadline = time.monotonic() + _wait()
    pause = 0.02
    while True:
        try:
            return opening()
        except (duckdb.IOException, duckdb.SerializationException) as exc:
            problem, transient = _problem(path, exc)
            if not transient or time.monotonic() >= deadline:
                if transient:
                    problem += f", and still was after {_wait():.0f} s: try again when it ends"
                raise WorkspaceError(problem) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file (see :func:`retrying`)."""
    return retrying(path, lambda: duckdb.connect(str(path), read_only=read_only))


def _settings(con: duckdb.DuckDBPyConnection) -> None:
    # Stored timestamps are UTC; rendering them in UTC keeps exports reproducible.
    con.execute("SET TimeZone = 'UTC'")
    # Rows carry their own order (ids, timestamps, row numbers): letting DuckDB write in
    # any order makes large inserts and temporary tables markedly faster.
    con.execute("SET preserve_insertion_order = false")
    # Long queries draw a progress bar on the terminal; the CLI shows its own.
    con.execute("SET enable_progress_bar = false")


def _utc(value: Any) -> Any:
    """A timestamp as an aware UTC datetime (stored timestamps are UTC); other values as-is."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


class Warehouse:
    """An open warehouse; use as a context manager so the file lock is released.

    Commands that only read open it ``read_only``: DuckDB lets any number of read-only
    processes share the file (an ingest reads it that way too while it works through a file,
    see :class:`StagingWarehouse`), and a workspace the user may not write can still be read.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self._lock = lock_of(path)
        self._held: str | None = None
        self._hold("read" if read_only else "write")
        try:
            self.con = connect(path, read_only=read_only)
            _settings(self.con)
            if read_only and current_version(self.con) < LATEST:
                # An older file is brought forward once, by a short read-write open.
                self.con.close()
                self._hold(None)
                with Warehouse(path):
                    pass
                self._hold("read")
                self.con = connect(path, read_only=True)
                _settings(self.con)
            elif not read_only:
                migrate(self.con)
        except BaseException:
            self._hold(None)
            raise
        self._ibis: Any = None

    def _hold(self, mode: str | None) -> None:
        """Hold this process's lock of the file to ``read`` or ``write`` (``None``: let go)
        (:mod:`touchpoints.storage.locks`)."""
        if self._held == "read":
            self._lock.release_read()
        elif self._held == "write":
            self._lock.release_write()
        self._held = None
        if mode == "read":
            self._lock.acquire_read()
        elif mode == "write":
            self._lock.acquire_write()
        self._held = mode

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
        try:
            self.con.close()
        finally:
            self._hold(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _memory_limit() -> str:
    return os.environ.get("TOUCHPOINTS_MEMORY_LIMIT", MEMORY_LIMIT)


class StagingWarehouse(Warehouse):
    """The warehouse as an ingest uses it: read-only while the file is read and checked, then
    read-write only for the one transaction that stores it.

    The connection is a scratch in-memory database with the warehouse attached (and made the
    default catalog, so the same SQL names its tables). Its temporary tables hold the file
    being ingested; DuckDB keeps them within :data:`MEMORY_LIMIT` and spills the rest to
    ``scratch``, so memory does not grow with the file. Holding only a read lock until the
    end lets other commands read the workspace while a long file is worked through.
    """

    def __init__(self, path: Path, scratch: Path) -> None:
        self.path = path
        self.scratch = scratch
        self._ibis = None
        self._lock = lock_of(path)
        self._held = None
        Warehouse(path, read_only=path.exists()).close()  # exists, readable, migrated
        self.con = duckdb.connect()
        _settings(self.con)
        try:
            self.con.execute(f"SET memory_limit = '{_memory_limit()}'")
        except duckdb.Error:
            raise WorkspaceError(
                f"TOUCHPOINTS_MEMORY_LIMIT: '{_memory_limit()}' is not a size (e.g. 2GB)"
            ) from None
        self.con.execute(f"SET temp_directory = {lit(str(scratch))}")
        self._attach(read_only=True)

    def _attach(self, *, read_only: bool) -> None:
        mode = " (READ_ONLY)" if read_only else ""
        self.con.execute("USE memory")
        self.con.execute("DETACH DATABASE IF EXISTS warehouse")
        self._hold("read" if read_only else "write")
        retrying(
            self.path,
            lambda: self.con.execute(f"ATTACH {lit(str(self.path))} AS warehouse{mode}"),
        )
        self.con.execute("USE warehouse")

    def version(self) -> int:
        """The last ingest stored: if it changed since the file was checked, another ingest
        stored a file meanwhile and the checks against stored data must be run again."""
        return int(scalar(self.con, "SELECT COALESCE(max(id), 0) FROM ingests"))

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writes, holding the write lock only for them (see
        :meth:`Warehouse.transaction`)."""
        self._attach(read_only=False)
        with super().transaction() as con:
            yield con
