"""Conformance suite of the storage contract, run against every implementation of ``Store``.

Each implementation is one entry of ``IMPLEMENTATIONS``: a name and a function that opens its
store in a folder (opening the same folder again reopens the same data). Every test runs once
per implementation. What an implementation cannot do is declared on the test, as in Ibis'
backend suite::

    @notimpl(["pyspark"], raises=NotImplementedError, reason="no transactions")

which turns that test into a strict expected failure for that implementation alone: it must
fail with ``raises``, and once the implementation learns it, the mark has to go.

Rows are written with the ingest's own interface, ``store.transaction()``, and the
connection it yields (DB-API ``execute`` with ``?`` parameters); ``_insert`` is the one place
a future implementation may need to adapt. The suite deliberately has no ``conftest.py``:
``tests/*`` import the top-level one as ``conftest``, and a second one would shadow it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest

from touchpoints.storage import LATEST, Store, Warehouse


def _duckdb(folder: Path) -> Store:
    return Warehouse(folder / "contract.duckdb")


IMPLEMENTATIONS: dict[str, Callable[[Path], Store]] = {"duckdb": _duckdb}

# -- notimpl: what an implementation declares it cannot do -----------------------------------

Test = TypeVar("Test", bound=Callable[..., Any])


@dataclass(frozen=True)
class NotImpl:
    backends: frozenset[str]
    reason: str
    raises: type[BaseException] | tuple[type[BaseException], ...]


def notimpl(
    backends: Sequence[str],
    *,
    reason: str,
    raises: type[BaseException] | tuple[type[BaseException], ...] = Exception,
) -> Callable[[Test], Test]:
    """Declare that ``backends`` cannot pass the decorated test (it raises ``raises``)."""

    def mark(test: Test) -> Test:
        # decorators apply bottom-up: prepend, so the topmost declaration is the one that counts
        declared = (NotImpl(frozenset(backends), reason, raises), *getattr(test, "_notimpl", ()))
        test._notimpl = declared  # type: ignore[attr-defined]
        return test

    return mark


def expected_failure(test: Any, backend: str) -> pytest.MarkDecorator | None:
    """The strict xfail that ``test``'s ``notimpl`` declarations make for ``backend``."""
    for declared in getattr(test, "_notimpl", ()):
        if backend in declared.backends:
            return pytest.mark.xfail(
                raises=declared.raises,
                reason=f"{backend} does not implement this: {declared.reason}",
                strict=True,
            )
    return None


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    expected = expected_failure(request.function, name)
    if expected is not None:
        request.applymarker(expected)
    return name


@pytest.fixture
def open_store(backend: str, tmp_path: Path) -> Callable[[], Store]:
    """Opens this test's store; calling it again (after a close) reopens the same data."""
    return lambda: IMPLEMENTATIONS[backend](tmp_path)


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Iterator[Store]:
    with open_store() as opened:
        yield opened


def _insert(
    store: Store, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write ``rows`` in one committed transaction (column names here are trusted literals)."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with store.transaction() as con:
        for row in rows:
            con.execute(sql, list(row))


def _quarantine(kind: str) -> tuple[Any, ...]:
    return (kind, "k", "f.csv", 1, "{}", ["bad"], 1)


QUARANTINE = ("kind", "key", "file", "row", "data", "reasons", "ingest")

# -- the contract ----------------------------------------------------------------------------


def test_implements_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)
    assert isinstance(store.name, str)
    assert store.name


def test_opening_migrates_to_the_latest_schema(store: Store) -> None:
    assert LATEST == 3  # the migrations in storage/migrations.py
    assert store.schema_version == 3


def test_span_of_empty_tables(store: Store) -> None:
    assert store.span("responses", "ts") == (0, None, None)
    assert store.span("customers", "join_date") == (0, None, None)


def test_span_of_timestamps_is_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    rows = [
        ("r1", datetime(2025, 1, 2, 9, 30, 0, 123456, tzinfo=UTC), 1),
        ("r2", datetime(2025, 3, 1, 12, 0, tzinfo=plus_two), 1),  # 10:00 UTC
        ("r3", datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), 2),
    ]
    _insert(store, "responses", ("response_id", "ts", "_ingest"), rows)
    count, first, last = store.span("responses", "ts")
    assert count == 3
    assert first == datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert last == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    for bound in (first, last):
        assert isinstance(bound, datetime)
        assert bound.utcoffset() == timedelta(0)
    assert last.hour == 10  # rendered in UTC, not in the offset it was given with
    # integer columns: plain ints
    assert store.span("responses", "_ingest") == (3, 1, 2)


def test_span_of_dates_counts_rows_with_null(store: Store) -> None:
    rows = [("c1", date(2024, 2, 29), 1), ("c2", date(2023, 7, 1), 1), ("c3", None, 1)]
    _insert(store, "customers", ("customer", "join_date", "_ingest"), rows)
    count, first, last = store.span("customers", "join_date")
    assert count == 3  # every row, also the one without a join date
    assert (first, last) == (date(2023, 7, 1), date(2024, 2, 29))
    assert type(first) is date
    assert type(last) is date


def test_counts_per_value(store: Store) -> None:
    assert store.counts("quarantine", "kind") == {}
    kinds = ["responses", "orders", "responses", "tickets", "responses"]
    _insert(store, "quarantine", QUARANTINE, [_quarantine(k) for k in kinds])
    assert store.counts("quarantine", "kind") == {"orders": 1, "responses": 3, "tickets": 1}
    assert list(store.counts("quarantine", "kind")) == ["orders", "responses", "tickets"]


def test_counts_leave_out_null_and_give_text(store: Store) -> None:
    rows = [("c1", "gold", 7), ("c2", None, 7), ("c3", "gold", 8), ("c4", "silver", 8)]
    _insert(store, "customers", ("customer", "segment", "_ingest"), rows)
    assert store.counts("customers", "segment") == {"gold": 2, "silver": 1}
    assert store.counts("customers", "_ingest") == {"7": 2, "8": 2}


def test_count(store: Store) -> None:
    assert store.count("ingests") == 0
    _insert(store, "quarantine", QUARANTINE, [_quarantine("orders")] * 4)
    assert store.count("quarantine") == 4
    assert store.count("responses") == 0


def _write_then_fail(store: Store, error: BaseException) -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO responses (response_id, ts, _ingest) VALUES (?, ?, ?)",
            ["r1", datetime(2025, 1, 1, tzinfo=UTC), 1],
        )
        con.execute("INSERT INTO customers (customer, _ingest) VALUES (?, ?)", ["c1", 1])
        assert store.count("responses") == 1  # written, inside the transaction
        raise error


@pytest.mark.parametrize(
    "error", [RuntimeError("boom"), KeyboardInterrupt()], ids=["exception", "interrupt"]
)
def test_failed_transaction_leaves_nothing_and_reraises(store: Store, error: BaseException) -> None:
    with pytest.raises(type(error)) as raised:
        _write_then_fail(store, error)
    assert raised.value is error
    assert store.count("responses") == 0
    assert store.count("customers") == 0
    # the store stays usable: the next transaction commits
    _insert(store, "responses", ("response_id", "ts", "_ingest"), [("r2", "2025-01-02", 1)])
    assert store.count("responses") == 1


def test_committed_transaction_survives_reopening(open_store: Callable[[], Store]) -> None:
    moment = datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    with open_store() as first:
        _insert(first, "responses", ("response_id", "ts", "_ingest"), [("r1", moment, 1)])
    with open_store() as second:
        assert second.span("responses", "ts") == (1, moment, moment)
        assert second.schema_version == 3


def test_ibis_reads_the_same_rows(store: Store) -> None:
    rows = [(f"r{i}", datetime(2025, 1, i, tzinfo=UTC), 1) for i in (1, 2)]
    _insert(store, "responses", ("response_id", "ts", "_ingest"), rows)
    con = store.ibis()
    assert int(con.table("responses").count().execute()) == 2
    # inside a transaction Ibis shares it: it sees the rows not yet committed
    with store.transaction() as writer:
        writer.execute(
            "INSERT INTO responses (response_id, ts, _ingest) VALUES (?, ?, ?)",
            ["r3", datetime(2025, 1, 3, tzinfo=UTC), 1],
        )
        assert int(con.table("responses").count().execute()) == 3
    assert int(store.ibis().table("responses").count().execute()) == 3


INJECTIONS = [
    "customers; DROP TABLE customers; --",
    'responses"; DROP TABLE customers; --',
    'responses" WHERE 1=0 UNION SELECT 1, 2, 3 --',
    "",
    "resp\x00onses",
]


@pytest.mark.parametrize("name", INJECTIONS, ids=["semicolon", "quote", "union", "empty", "nul"])
def test_names_are_identifiers_never_sql(store: Store, name: str) -> None:
    _insert(store, "customers", ("customer", "_ingest"), [("c1", 1)])
    with pytest.raises(LookupError):
        store.span(name, "ts")
    with pytest.raises(LookupError):
        store.span("customers", name)
    with pytest.raises(LookupError):
        store.counts(name, "kind")
    with pytest.raises(LookupError):
        store.counts("customers", name)
    with pytest.raises(LookupError):
        store.count(name)
    assert store.count("customers") == 1  # nothing dropped, nothing else ran
    assert store.span("customers", "_ingest") == (1, 1, 1)


def test_unknown_table_or_column_is_a_lookup_error(store: Store) -> None:
    with pytest.raises(LookupError, match="nope"):
        store.count("nope")
    with pytest.raises(LookupError, match="nope"):
        store.span("responses", "nope")


def test_odd_names_are_quoted_not_refused(store: Store) -> None:
    odd = 'odd "name"; --'
    with store.transaction() as con:
        con.execute('CREATE TABLE "odd ""name""; --" ("a""b" INTEGER)')
        con.execute('INSERT INTO "odd ""name""; --" VALUES (4), (2), (4)')
    assert store.count(odd) == 3
    assert store.span(odd, 'a"b') == (3, 2, 4)
    assert store.counts(odd, 'a"b') == {"2": 1, "4": 2}


# -- the notimpl mechanism itself ------------------------------------------------------------


def test_notimpl_marks_only_the_named_backends() -> None:
    @notimpl(["pyspark"], raises=NotImplementedError, reason="no transactions")
    @notimpl(["postgres", "pyspark"], reason="no DATE bounds")
    def sample() -> None: ...

    assert expected_failure(sample, "duckdb") is None
    spark = expected_failure(sample, "pyspark")
    assert spark is not None
    assert spark.mark.name == "xfail"
    assert spark.mark.kwargs["strict"] is True
    assert spark.mark.kwargs["raises"] is NotImplementedError
    assert "no transactions" in spark.mark.kwargs["reason"]
    postgres = expected_failure(sample, "postgres")
    assert postgres is not None
    assert postgres.mark.kwargs["raises"] is Exception
