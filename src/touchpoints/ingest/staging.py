"""A file into the engine a batch at a time: the temporary table ``_raw``.

A file whose text fits in :data:`IN_MEMORY_BYTES` stays in Arrow's memory and the engine
reads it from there (the fastest way for the usual export). A larger one is copied into
DuckDB a batch at a time, each batch dropped once copied, so Python never holds more than the
budget; the engine keeps ``_raw`` within its memory limit and spills the rest to disk
(:class:`~touchpoints.storage.warehouse.StagingWarehouse`). Only columns the mapping can use
are copied: an export may carry thousands that it never reads. Source headers become
positional names (``c0``, ``c1`` …) because a header may be anything, ``_row`` included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from touchpoints.ingest.readers import BadRow, RawStream, StartOver
from touchpoints.storage.sql import ident

# Up to this much Arrow memory a file stays where the reader put it; a larger one is copied
# into the engine batch by batch, where it may spill to disk.
IN_MEMORY_BYTES = 1 << 29


@dataclass(frozen=True)
class StagedFile:
    """What was staged: every header in order of appearance, the engine's name for each one
    staged, the records in ``_raw`` and the rows that could not be split into columns."""

    headers: list[str]
    positions: dict[str, str]
    records: int
    bad_rows: list[BadRow]
    encoding: str | None
    spilled: bool = False  # whether _raw is an engine table (else Arrow memory the engine reads)

    @property
    def read(self) -> int:
        return self.records + len(self.bad_rows)


def stage_file(con: Any, stream: RawStream, keep: Callable[[str], bool]) -> StagedFile:
    """Copy the columns of ``stream`` whose header ``keep`` accepts into ``_raw`` (replacing
    any earlier one); a reader that must start over part-way is read again the slow way."""
    try:
        return _stage(con, stream, keep)
    except StartOver:
        assert stream.slow is not None  # only a reader with a slow way raises it
        return _stage(con, stream.slow(), keep)


def _stage(con: Any, stream: RawStream, keep: Callable[[str], bool]) -> StagedFile:
    kept: dict[str, bool] = {}  # every header seen: whether it is staged
    positions: dict[str, str] = {}
    held: list[pa.Table] = []  # batches kept in memory while they fit in the budget
    size = records = 0
    spilled = False
    for table, rows in stream.batches:
        new = []
        for header in table.column_names:
            if header not in kept and kept.setdefault(header, keep(header)):
                positions[header] = f"c{len(positions)}"
                new.append(header)
        staged = [h for h in table.column_names if kept[h]]
        named = table.select(staged).rename_columns([positions[h] for h in staged])
        named = named.append_column("_row", rows)
        records += table.num_rows
        if spilled:
            _add_columns(con, [positions[h] for h in new])
            _insert(con, named)
            continue
        held.append(named)
        size += named.nbytes
        if size > IN_MEMORY_BYTES:
            con.execute("CREATE OR REPLACE TEMP TABLE _raw (_row BIGINT)")
            _add_columns(con, list(positions.values()))
            for batch in held:
                _insert(con, batch)
            held, spilled = [], True
    if not spilled:
        # A file that fits is read by the engine straight from Arrow's memory, no copy.
        whole = pa.concat_tables(held, promote_options="default") if held else None
        con.register(
            "_raw", whole if whole is not None else pa.table({"_row": pa.array([], pa.int64())})
        )
    return StagedFile(list(kept), positions, records, stream.bad_rows, stream.encoding, spilled)


def _add_columns(con: Any, names: list[str]) -> None:
    for name in names:
        con.execute(f"ALTER TABLE _raw ADD COLUMN {ident(name)} VARCHAR")


def _insert(con: Any, batch: pa.Table) -> None:
    con.register("_batch", batch)
    con.execute("INSERT INTO _raw BY NAME SELECT * FROM _batch")
    con.unregister("_batch")


def release(con: Any, staged: StagedFile) -> None:
    """Free ``_raw`` once the mapped columns are taken from it."""
    if staged.spilled:
        con.execute("DROP TABLE _raw")
    else:
        con.unregister("_raw")
