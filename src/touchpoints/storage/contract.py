"""The storage contract: everything the rest of touchpoints may use of a warehouse.

A warehouse is reached through one typed interface, :class:`Store`: reads as an Ibis backend,
writes as the ingest transaction, plus the few cheap summaries that must answer before Ibis
could even be imported. :class:`~touchpoints.storage.warehouse.Warehouse` (DuckDB) is the one
implementation today; another engine (Spark, PostgreSQL) implements the same members and runs
the same conformance suite, ``tests/storage/test_contract.py``.

This module imports neither Ibis nor DuckDB, so code that only names the contract (type
hints, ``touchpoints status``) stays cheap to import.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable


@runtime_checkable
class Store(Protocol):
    """A warehouse: versioned tables, Ibis reads, transactional writes, cheap summaries.

    Table and column names given to :meth:`span`, :meth:`counts` and :meth:`count` are
    identifiers, never SQL: an implementation quotes them, so an unknown or malformed name
    raises :class:`LookupError` and can never run a statement of its own.
    """

    @property
    def name(self) -> str:
        """Where the data lives, readable in messages (a file path; a URL without secrets).

        Errors and logs must say which warehouse they are about without knowing the engine.
        """
        ...

    @property
    def schema_version(self) -> int:
        """The applied schema version (:data:`touchpoints.storage.migrations.LATEST` once open).

        Opening a store brings its schema forward; code that reads tables relies on this
        being the latest version, and tests and diagnostics check it.
        """
        ...

    def ibis(self) -> Any:
        """The reads: an Ibis backend over the same connection and transaction.

        Measures and queries are written once, as Ibis expressions, and run on any engine.
        Inside :meth:`transaction` it sees the uncommitted rows, since it shares the
        connection. Ibis is imported on the first call only: it costs a good part of a second.
        """
        ...

    def records(self, query: str) -> list[dict[str, Any]]:
        """The rows of a SQL query in DuckDB's dialect as plain dicts, in the query's order.
        (Another engine's store transpiles the SQL, e.g. with sqlglot, which Ibis brings.)

        Services aggregate in the engine and get back a few hundred rows; fetching them as
        Python values spares a command the import of pandas (a third of a second), which only
        a frame needs. Values are Python's: ``int``, ``float``, ``str``, ``date``,
        ``datetime``, ``Decimal``; SQL NULL is ``None``.
        """
        ...

    def span(self, table: str, column: str) -> tuple[int, Any, Any]:
        """``(rows, min(column), max(column))`` of a table, in one cheap query.

        What ``touchpoints status`` shows per kind, answered without Ibis or pandas so the
        command starts in well under half a second. ``rows`` counts every row (also those
        where ``column`` is NULL); the bounds are plain Python values: timestamps as
        timezone-aware :class:`datetime.datetime` in UTC, dates as :class:`datetime.date`,
        and ``None`` for both when no row has a value.
        """
        ...

    def counts(self, table: str, column: str) -> dict[str, int]:
        """Rows per value of ``column`` (e.g. quarantined rows per kind), ordered by value.

        Values are given as text; rows where ``column`` is NULL are left out. Like
        :meth:`span`, a cheap query for summaries that must not wait for Ibis.
        """
        ...

    def count(self, table: str) -> int:
        """How many rows ``table`` holds (e.g. the ingests so far), in one cheap query."""
        ...

    def transaction(self) -> AbstractContextManager[Any]:
        """The writes: one transaction around a block; yields the connection to write on.

        An ingest stores a file all or nothing. The block's statements run on the yielded
        connection; leaving the block normally commits, and any exception (also
        ``KeyboardInterrupt`` and other ``BaseException``) rolls back every statement of the
        block and is re-raised unchanged. A process killed inside the block leaves nothing
        behind either: the engine never saw the commit.
        """
        ...

    def close(self) -> None:
        """Release the connection (and with it any lock on the warehouse)."""
        ...

    def __enter__(self) -> Self:
        """A store is used as a context manager, so it is closed however the block ends."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store; exceptions of the block propagate."""
        ...
