"""The versioned schema: created once, brought forward, and matching the kinds' columns."""

from __future__ import annotations

from pathlib import Path

from touchpoints.ingest.kinds import KINDS
from touchpoints.storage import LATEST, Warehouse, migrate


def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as warehouse:
        assert warehouse.schema_version == LATEST
        assert migrate(warehouse.con) == LATEST  # nothing pending: a no-op
        versions = warehouse.con.execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(v,) for v in range(1, LATEST + 1)]
    with Warehouse(path) as reopened:  # reopening migrates nothing again
        assert reopened.schema_version == LATEST


def test_each_kind_has_its_table_with_its_columns(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        for kind in KINDS.values():
            columns = [
                name
                for (name,) in warehouse.con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [kind.table],
                ).fetchall()
            ]
            assert columns == [*kind.names, "_ingest"]


def test_reads_go_through_ibis(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        responses = warehouse.ibis().table("responses")
        assert int(responses.count().execute()) == 0
