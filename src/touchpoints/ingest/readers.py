"""Read a data file into a table of strings, one column per source header.

Every reader returns text, whatever types the file holds: conversion and its error messages
belong to validation, which reports them per row and column. A record that cannot be split
into columns at all (a CSV line with the wrong number of fields, a JSONL line that is not
JSON) is kept as a *bad row* with its reason, so it is quarantined rather than lost (the
shapes: ``raw``). CSV, JSON lines and Parquet, the formats of large exports, are read a
block at a time; spreadsheets (``spreadsheets``) and JSON documents whole.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from touchpoints.errors import FileFormatError
from touchpoints.ingest.encoding import detect_encoding
from touchpoints.ingest.exports import SURVEY_TOOLS, column_names, header_rows
from touchpoints.ingest.raw import (
    BadRow,
    Batch,
    RawStream,
    RawTable,
    StartOver,
    cell_text,
    unique_headers,
)
from touchpoints.ingest.spreadsheets import read_xlsx

FileFormat = Literal[
    "csv",
    "xlsx",
    "json",
    "jsonl",
    "parquet",
    "qualtrics",
    "surveymonkey",
    "limesurvey",
    "formbricks",
]
SPREADSHEETS = (".xlsx", ".xlsm", ".xls")
EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def format_for(path: Path, declared: str | None) -> FileFormat:
    if declared:
        return declared  # type: ignore[return-value]  # checked by the mapping model
    try:
        return EXTENSIONS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise FileFormatError(
            f"{path}: cannot tell the format from '{path.suffix}' (known: {known}); "
            "set `format:` in a mapping"
        ) from None


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _as_text(table: pa.Table, path: Path | None = None) -> pa.Table:
    """Cast every column to string; nested values become JSON text. Bytes that are not UTF-8
    text make the file unreadable, with the column named."""
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(column.type):
            columns.append(column)
        elif pa.types.is_nested(column.type):
            texts = [cell_text(v) for v in column.to_pylist()]
            columns.append(pa.chunked_array([pa.array(texts, pa.string())]))
        else:
            try:
                columns.append(pc.cast(column, pa.string()))
            except pa.ArrowInvalid as exc:
                raise FileFormatError(
                    f"{path or 'file'}: column {name!r} is not text ({_first_line(exc)})"
                ) from None
    return pa.table(columns, names=unique_headers(table.column_names))


def _sniff_delimiter(sample: str, suffix: str) -> str:
    """The separator used most in the header line (answers may hold any of them)."""
    if suffix == ".tsv":
        return "\t"
    header = re.split(r"\r\n|\r|\n", sample, maxsplit=1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    tool: str | None = None,
) -> RawStream:
    """Read a CSV as text, a block at a time. Without a declared encoding it is detected
    first (:func:`detect_encoding`: one fast pass), so no block is read with the wrong one."""
    declared = encoding is not None
    encoding = encoding or detect_encoding(path)
    try:
        delimiter, width = _first_record(path, encoding, delimiter)
    except (UnicodeError, LookupError) as exc:
        raise _unreadable(path, encoding, declared, exc) from None
    bad: list[BadRow] = []
    batches = _csv_batches(path, encoding, delimiter, width, tool, bad)
    return RawStream(_guarded(batches, path, encoding, declared), bad, encoding)


def _unreadable(path: Path, encoding: str, declared: bool, exc: BaseException) -> FileFormatError:
    if declared:
        return FileFormatError(
            f"{path}: not {encoding} text ({_first_line(exc)}); correct `encoding:` in the "
            "mapping, or leave it out and the encoding is detected"
        )
    return FileFormatError(
        f"{path}: not a readable CSV file as {encoding} text ({_first_line(exc)})"
    )


def _guarded(
    batches: Iterator[Batch], path: Path, encoding: str, declared: bool
) -> Iterator[Batch]:
    try:
        yield from batches
    except (UnicodeError, LookupError, pa.ArrowInvalid) as exc:
        raise _unreadable(path, encoding, declared, exc) from None


def _first_record(path: Path, encoding: str, delimiter: str | None) -> tuple[str, int]:
    """The separator and the number of fields of the first record, however wide."""
    # newline="" lets csv see a quoted line break whole; the sample reads Excel for Mac's CR too.
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(1 << 16)
        if not sample.strip():
            raise FileFormatError(f"{path}: the file is empty")
        delimiter = delimiter or _sniff_delimiter(sample, path.suffix.lower())
        # Blank lines before the first record are skipped, as Arrow does.
        handle.seek(0)
        try:
            width = len(next((r for r in csv.reader(handle, delimiter=delimiter) if r), []))
        except csv.Error as exc:
            raise FileFormatError(f"{path}: the header row cannot be read ({exc})") from None
    if not width:
        raise FileFormatError(f"{path}: no header row")
    return delimiter, width


def row_numbers(first: int, count: int, bad: list[BadRow]) -> np.ndarray:
    """The row numbers of ``count`` good records, the first of them the ``first``-th good one.

    Rows are numbered as a spreadsheet shows them, bad ones included. The j-th bad row (in
    order) has ``row - j`` good rows before it, so the g-th good row comes after every bad row
    with fewer than g good rows before it: its number is g plus how many those are. Arrow
    reports a block's bad rows before it hands the block over (sometimes the next block's
    too), so every bad row that matters is known.
    """
    goods = np.arange(first, first + count, dtype=np.int64)
    if not bad:
        return goods
    rows = np.fromiter((b.row for b in bad), dtype=np.int64, count=len(bad))
    before = rows - np.arange(1, len(rows) + 1, dtype=np.int64)
    return goods + np.searchsorted(before, goods, side="left")


def _csv_batches(
    path: Path, encoding: str, delimiter: str, width: int, tool: str | None, bad: list[BadRow]
) -> Iterator[Batch]:
    generated = [f"f{i}" for i in range(width)]

    def on_invalid(row: Any) -> str:
        bad.append(
            BadRow(
                row.number or 0,
                f"row: expected {row.expected_columns} fields, found {row.actual_columns}",
                row.text,
            )
        )
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
            # One thread reads the blocks in order, so every row's number is known.
            use_threads=False,
            block_size=1 << 24,
            # Header rows are read as data and named here: some exports have several.
            column_names=generated,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        # Empty cells stay "": validation treats blanks as missing anyway.
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(generated, pa.string())),
    )
    names: list[str] | None = None
    good = 0
    for batch in reader:
        table = pa.Table.from_batches([batch])
        numbers = row_numbers(good + 1, table.num_rows, bad)
        good += table.num_rows
        if names is None:
            first = [list(r.values()) for r in table.slice(0, 3).to_pylist()]
            if not first:
                continue
            skip = header_rows(tool, first)
            names = unique_headers(column_names(tool, first[:skip]))
            table, numbers = table.slice(skip), numbers[skip:]
        yield table.rename_columns(names), pa.array(numbers)
    if names is None:
        raise FileFormatError(f"{path}: no header row could be read ({len(bad)} malformed rows)")


def read_json(path: Path) -> RawTable:
    """A JSON document is parsed whole (it is one value); large exports are JSON lines."""
    try:
        data = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise FileFormatError(f"{path}: JSON nested too deeply to be records") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise FileFormatError(f"{path}: expected a list of records or an object holding one")
        data = lists[0]
    if not isinstance(data, list):
        raise FileFormatError(f"{path}: expected a list of records")
    return _records_to_raw(list(enumerate(data, start=1)))


def _records_to_raw(records: list[tuple[int, Any]]) -> RawTable:
    """Numbered JSON records (or bad rows) into a RawTable; headers in order of appearance."""
    headers: dict[str, None] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    bad: list[BadRow] = []
    for row, record in records:
        if isinstance(record, BadRow):
            bad.append(record)
        elif not isinstance(record, dict):
            bad.append(BadRow(row, "row: expected an object of named fields", str(record)))
        else:
            good.append((row, record))
            headers.update(dict.fromkeys(record))
    names = list(headers)
    columns = [pa.array([cell_text(r.get(n)) for _, r in good], pa.string()) for n in names]
    rows = pa.array([row for row, _ in good], pa.int64())
    return RawTable(pa.table(columns, names=unique_headers(names)), rows, bad)


def _opens_with_an_object(path: Path) -> bool:
    """Whether the file's first value is an object: Arrow's JSON reader is handed only such
    files (pyarrow 26 crashes the whole process on a file whose first value is ``null``; the
    line-by-line path reports any other first line as a bad row)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 12).decode("utf-8", errors="ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("{")


def read_jsonl(path: Path) -> RawStream:
    """JSON lines, a block at a time with Arrow; line by line (keeping each bad line with its
    reason) when Arrow cannot read the file, even part-way through."""
    if not _opens_with_an_object(path):
        return _read_jsonl_by_line(path)
    return RawStream(_jsonl_batches(path), slow=lambda: _read_jsonl_by_line(path))


def _jsonl_batches(path: Path) -> Iterator[Batch]:
    options = pajson.ReadOptions(block_size=1 << 24)
    try:
        reader = pajson.open_json(path, read_options=options)
        # JSON has no dates: a column Arrow read as one was text, and must stay as written.
        schema = pa.schema(
            pa.field(f.name, pa.string()) if pa.types.is_temporal(f.type) else f
            for f in reader.schema
        )
        if schema != reader.schema:
            reader.close()
            parse = pajson.ParseOptions(explicit_schema=schema)
            reader = pajson.open_json(path, read_options=options, parse_options=parse)
        start = 1
        for batch in reader:
            yield _as_text(pa.Table.from_batches([batch])), _counted(start, batch.num_rows)
            start += batch.num_rows
    except pa.ArrowInvalid:
        raise StartOver from None


def _counted(start: int, count: int) -> pa.Array:
    return pa.array(np.arange(start, start + count, dtype=np.int64))


def _read_jsonl_by_line(path: Path) -> RawStream:
    bad: list[BadRow] = []
    return RawStream(_jsonl_lines(path, bad), bad)


def _jsonl_lines(path: Path, bad: list[BadRow], size: int = 1 << 16) -> Iterator[Batch]:
    records: list[tuple[int, Any]] = []
    with path.open(encoding=detect_encoding(path)) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                reason = f"row: not valid JSON ({exc.msg})"
                records.append((number, BadRow(number, reason, line.strip())))
            if len(records) == size:
                yield _batch_of(records, bad)
                records = []
    yield _batch_of(records, bad)


def _batch_of(records: list[tuple[int, Any]], bad: list[BadRow]) -> Batch:
    raw = _records_to_raw(records)
    bad.extend(raw.bad_rows)
    return raw.table, raw.rows


def read_parquet(path: Path) -> RawStream:
    """A Parquet file a batch at a time (Parquet stores columns in row groups, read in turn)."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(f"{path}: not a readable Parquet file ({exc})") from None
    return RawStream(_parquet_batches(parquet, path))


def _parquet_batches(parquet: pq.ParquetFile, path: Path) -> Iterator[Batch]:
    start = 1
    try:
        for batch in parquet.iter_batches(batch_size=1 << 17):
            yield _as_text(pa.Table.from_batches([batch]), path), _counted(start, batch.num_rows)
            start += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(f"{path}: not a readable Parquet file ({exc})") from None
    if start == 1:  # no rows: the columns still name the headers
        yield _as_text(parquet.schema_arrow.empty_table(), path), _counted(1, 0)


def open_file(
    path: Path,
    fmt: FileFormat,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
) -> RawStream:
    """Open ``path`` in format ``fmt`` as text batches; raise :class:`FileFormatError` if
    impossible (now, or while the batches are read)."""
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    tool = fmt if fmt in SURVEY_TOOLS else None
    if fmt == "xlsx" or (tool and path.suffix.lower() in SPREADSHEETS):
        return RawStream.of(read_xlsx(path, sheet=sheet, tool=tool))
    if fmt == "csv" or tool:
        return read_csv(path, encoding=encoding, delimiter=delimiter, tool=tool)
    if fmt == "json":
        return RawStream.of(read_json(path))
    if fmt == "jsonl":
        return read_jsonl(path)
    return read_parquet(path)


def read_file(
    path: Path,
    fmt: FileFormat,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """The whole of ``path`` as one table (for small files and tests; ingestion streams)."""
    stream = open_file(path, fmt, encoding=encoding, sheet=sheet, delimiter=delimiter)
    try:
        batches = list(stream.batches)
    except StartOver:
        assert stream.slow is not None  # only a reader with a slow way raises it
        stream = stream.slow()
        batches = list(stream.batches)
    tables = [t for t, _ in batches]
    table = pa.concat_tables(tables, promote_options="default") if tables else pa.table({})
    rows = pa.concat_arrays([r for _, r in batches]) if batches else pa.array([], pa.int64())
    return RawTable(table, rows, stream.bad_rows, stream.encoding)
