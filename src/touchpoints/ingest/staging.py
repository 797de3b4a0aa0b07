"""A file into the engine a batch at a time: the temporary table ``_raw``.

A file whose text fits in :data:`IN_MEMORY_BYTES` stays in Arrow's memory and the engine
reads it from there (the fastest way for the usual export). A larger one is written a batch
at a time to plain Parquet in the ingest's scratch folder, each batch dropped once written,
so Python never holds more than the budget; the engine reads those files as ``_raw`` (only
the columns a query needs) and keeps its own work within its memory limit
(:class:`~touchpoints.storage.warehouse.StagingWarehouse`). Writing Parquet is several
times faster than inserting the same rows into an engine table that spills.

Only columns the mapping can use are staged: an export may carry thousands that it never
reads. Source headers become positional names (``c0``, ``c1`` …) because a header may be
anything, ``_row`` included.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from touchpoints.ingest.raw import BadRow, RawStream, StartOver
from touchpoints.storage.sql import lit

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
    spilled: bool = False  # whether _raw reads Parquet in the scratch folder (else Arrow memory)

    @property
    def read(self) -> int:
        return self.records + len(self.bad_rows)


def stage_file(
    con: Any, stream: RawStream, keep: Callable[[str], bool], scratch: Path
) -> StagedFile:
    """Make ``_raw`` from the columns of ``stream`` whose header ``keep`` accepts, spilling
    to Parquet in ``scratch`` past the budget; a reader that must start over part-way is read
    again the slow way."""
    try:
        return _stage(con, stream, keep, scratch)
    except StartOver:
        assert stream.slow is not None  # only a reader with a slow way raises it
        return _stage(con, stream.slow(), keep, scratch)


class _Spill:
    """Batches written to Parquet files in the scratch folder, a new file whenever later
    batches bring new columns (JSON lines); the engine reads them all by column name."""

    def __init__(self, scratch: Path) -> None:
        self.folder = scratch / "raw"
        shutil.rmtree(self.folder, ignore_errors=True)  # a reader that started over
        self.folder.mkdir(parents=True)
        self.files: list[Path] = []
        self.writer: pq.ParquetWriter | None = None

    def write(self, batch: pa.Table) -> None:
        if self.writer is None or batch.schema != self.writer.schema:
            self.close()
            self.files.append(self.folder / f"part-{len(self.files)}.parquet")
            # Plain and uncompressed: written once and read once, on the same disk.
            self.writer = pq.ParquetWriter(self.files[-1], batch.schema, compression="none")
        self.writer.write_table(batch)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def view(self, con: Any) -> None:
        self.close()
        files = ", ".join(lit(str(f)) for f in self.files)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW _raw AS "
            f"SELECT * FROM read_parquet([{files}], union_by_name = true)"
        )


def _stage(con: Any, stream: RawStream, keep: Callable[[str], bool], scratch: Path) -> StagedFile:
    kept: dict[str, bool] = {}  # every header seen: whether it is staged
    positions: dict[str, str] = {}
    held: list[pa.Table] = []  # batches kept in memory while they fit in the budget
    size = records = 0
    spill: _Spill | None = None
    for table, rows in stream.batches:
        for header in table.column_names:
            if header not in kept and kept.setdefault(header, keep(header)):
                positions[header] = f"c{len(positions)}"
        staged = [h for h in table.column_names if kept[h]]
        named = table.select(staged).rename_columns([positions[h] for h in staged])
        named = named.append_column("_row", rows)
        records += table.num_rows
        if spill is not None:
            spill.write(named)
            continue
        held.append(named)
        size += named.nbytes
        if size > IN_MEMORY_BYTES:
            spill = _Spill(scratch)
            for batch in held:
                spill.write(batch)
            held = []
    if spill is not None:
        spill.view(con)
    else:
        # A file that fits is read by the engine straight from Arrow's memory, no copy.
        whole = pa.concat_tables(held, promote_options="default") if held else None
        con.register(
            "_raw", whole if whole is not None else pa.table({"_row": pa.array([], pa.int64())})
        )
    spilled = spill is not None
    return StagedFile(list(kept), positions, records, stream.bad_rows, stream.encoding, spilled)


def release(con: Any, staged: StagedFile, scratch: Path) -> None:
    """Free the file's text once ``_mapped`` holds what it needs of it."""
    if staged.spilled:
        con.execute("DROP VIEW _raw")
        shutil.rmtree(scratch / "raw", ignore_errors=True)
    else:
        con.unregister("_raw")
