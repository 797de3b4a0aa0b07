"""Read a data file into a table of strings, one column per source header.

Every reader returns text, whatever types the file holds: conversion and its error messages
belong to validation, which reports them per row and column. A record that cannot be split
into columns at all (a CSV line with the wrong number of fields, a JSONL line that is not
JSON) is kept as a *bad row* with its reason, so it is quarantined rather than lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from touchpoints.errors import FileFormatError
from touchpoints.ingest.encoding import bom_encoding, detect_encoding
from touchpoints.ingest.exports import SURVEY_TOOLS, column_names, header_rows

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


@dataclass
class BadRow:
    row: int
    reason: str
    text: str = ""


@dataclass
class RawTable:
    """A file as text: ``table`` has the source headers, ``rows`` the row number of each record.

    Row numbers count the header as row 1, as a spreadsheet shows them (for JSON, the first
    record is row 1).
    """

    table: pa.Table
    rows: pa.Array
    bad_rows: list[BadRow] = field(default_factory=list)
    encoding: str | None = None

    @property
    def headers(self) -> list[str]:
        return list(self.table.column_names)

    @property
    def read(self) -> int:
        return int(self.table.num_rows) + len(self.bad_rows)


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


def unique_headers(names: Sequence[object]) -> list[str]:
    """Blank headers become ``column N``; a repeated header gets `` (2)``, `` (3)``…"""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = str(raw).strip() if raw is not None else ""
        name = name or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        out.append(name)
    return out


def _cell_text(value: Any) -> str | None:
    """Spreadsheet and JSON cells as the text a person sees (9.0 → "9", dates in ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


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
            texts = [_cell_text(v) for v in column.to_pylist()]
            columns.append(pa.chunked_array([pa.array(texts, pa.string())]))
        else:
            try:
                columns.append(pc.cast(column, pa.string()))
            except pa.ArrowInvalid as exc:
                raise FileFormatError(
                    f"{path or 'file'}: column {name!r} is not text ({_first_line(exc)})"
                ) from None
    return pa.table(columns, names=unique_headers(table.column_names))


def _from_records(records: list[list[Any]], tool: str | None) -> RawTable:
    """Header rows and data rows (spreadsheets) into a RawTable."""
    if not records:
        raise FileFormatError("the sheet is empty: no header row")
    texts = [[_cell_text(v) for v in r] for r in records[:3]]
    skip = header_rows(tool, texts)
    headers = unique_headers(column_names(tool, texts[:skip]))
    width = len(headers)
    # Blank rows are no records (as blank lines in a CSV); the others keep their numbers.
    numbered = [
        (skip + 1 + i, r)
        for i, r in enumerate(records[skip:])
        if any(_cell_text(v) is not None for v in r)
    ]
    columns = [
        pa.array([_cell_text(r[i]) if i < len(r) else None for _, r in numbered], pa.string())
        for i in range(width)
    ]
    rows = pa.array([n for n, _ in numbered], pa.int64())
    return RawTable(pa.table(columns, names=headers), rows)


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
) -> RawTable:
    """Read a CSV as text. Without a declared encoding, UTF-8 is tried first (Arrow checks it
    as it parses, at no extra pass) and the file is examined only if that fails."""
    if encoding is not None:
        try:
            return _read_csv(path, encoding, delimiter, tool)
        except (UnicodeError, LookupError, pa.ArrowInvalid) as exc:
            raise FileFormatError(
                f"{path}: not {encoding} text ({_first_line(exc)}); correct `encoding:` in the "
                "mapping, or leave it out and the encoding is detected"
            ) from None
    guess = bom_encoding(path) or "utf-8"
    try:
        return _read_csv(path, guess, delimiter, tool)
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if guess != "utf-8" or ("UTF8" not in str(exc) and not isinstance(exc, UnicodeDecodeError)):
            raise FileFormatError(f"{path}: not a readable CSV file ({exc})") from None
    detected = detect_encoding(path)
    try:
        return _read_csv(path, detected, delimiter, tool)
    except (UnicodeError, pa.ArrowInvalid) as exc:
        raise FileFormatError(
            f"{path}: not a readable CSV file as {detected} text ({_first_line(exc)})"
        ) from None


def _read_csv(path: Path, encoding: str, delimiter: str | None, tool: str | None) -> RawTable:
    # newline="" lets csv see a quoted line break whole; the sample reads Excel for Mac's CR too.
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(1 << 16)
        if not sample.strip():
            raise FileFormatError(f"{path}: the file is empty")
        delimiter = delimiter or _sniff_delimiter(sample, path.suffix.lower())
        # The whole first record, however wide; blank lines before it are skipped, as Arrow does.
        handle.seek(0)
        try:
            width = len(next((r for r in csv.reader(handle, delimiter=delimiter) if r), []))
        except csv.Error as exc:
            raise FileFormatError(f"{path}: the header row cannot be read ({exc})") from None
    if not width:
        raise FileFormatError(f"{path}: no header row")
    generated = [f"f{i}" for i in range(width)]
    bad: list[BadRow] = []

    def on_invalid(row: Any) -> str:
        bad.append(
            BadRow(
                row.number or 0,
                f"row: expected {row.expected_columns} fields, found {row.actual_columns}",
                row.text,
            )
        )
        return "skip"

    def parse(threads: bool) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
                use_threads=threads,
                block_size=1 << 24,
                # Header rows are read as data and named here: some exports have several.
                column_names=generated,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            # Empty cells stay "": validation treats blanks as missing anyway.
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(generated, pa.string())
            ),
        )

    table = parse(threads=True)
    if any(b.row == 0 for b in bad):  # row numbers are only known when read in order
        table = parse(threads=False)
    first = [list(r.values()) for r in table.slice(0, 3).to_pylist()]
    if not first:
        raise FileFormatError(f"{path}: no header row could be read ({len(bad)} malformed rows)")
    skip = header_rows(tool, first)
    names = unique_headers(column_names(tool, first[:skip]))
    total = table.num_rows + len(bad)
    numbers = np.arange(1, total + 1, dtype=np.int64)
    if bad:
        numbers = numbers[~np.isin(numbers, [b.row for b in bad])]
    data = table.slice(skip).rename_columns(names)
    return RawTable(data, pa.array(numbers[skip:]), bad, encoding)


def read_xlsx(path: Path, *, sheet: str | int | None = None, tool: str | None = None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own untyped errors for corrupt files
        raise FileFormatError(f"{path}: not a readable spreadsheet ({exc})") from None
    if sheet is None:
        sheet = 0
    try:
        data = (
            book.get_sheet_by_index(sheet)
            if isinstance(sheet, int)
            else book.get_sheet_by_name(sheet)
        )
    except Exception:
        names = ", ".join(book.sheet_names)
        raise FileFormatError(f"{path}: no sheet {sheet!r} (sheets: {names})") from None
    return _from_records(data.to_python(skip_empty_area=False), tool)


def read_json(path: Path) -> RawTable:
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
    columns = [pa.array([_cell_text(r.get(n)) for _, r in good], pa.string()) for n in names]
    rows = pa.array([row for row, _ in good], pa.int64())
    return RawTable(pa.table(columns, names=unique_headers(names)), rows, bad)


def _opens_with_an_object(path: Path) -> bool:
    """Whether the file's first value is an object: Arrow's JSON reader is handed only such
    files (pyarrow 26 crashes the whole process on a file whose first value is ``null``; the
    line-by-line path reports any other first line as a bad row)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 12).decode("utf-8", errors="ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("{")


def read_jsonl(path: Path) -> RawTable:
    if not _opens_with_an_object(path):
        return _read_jsonl_by_line(path)
    try:
        table = pajson.read_json(path)
        # JSON has no dates: a column Arrow read as one was text, and must stay as written.
        schema = pa.schema(
            pa.field(f.name, pa.string()) if pa.types.is_temporal(f.type) else f
            for f in table.schema
        )
        if schema != table.schema:
            table = pajson.read_json(
                path, parse_options=pajson.ParseOptions(explicit_schema=schema)
            )
    except pa.ArrowInvalid:
        return _read_jsonl_by_line(path)  # slow path: find and keep the bad lines
    return RawTable(_as_text(table), pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)))


def _read_jsonl_by_line(path: Path) -> RawTable:
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
    return _records_to_raw(records)


def read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(f"{path}: not a readable Parquet file ({exc})") from None
    return RawTable(
        _as_text(table, path), pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64))
    )


def read_file(
    path: Path,
    fmt: FileFormat,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """Read ``path`` in format ``fmt`` as text; raise :class:`FileFormatError` if impossible."""
    if not path.is_file():
        raise FileFormatError(f"{path}: no such file")
    tool = fmt if fmt in SURVEY_TOOLS else None
    if fmt == "xlsx" or (tool and path.suffix.lower() in SPREADSHEETS):
        return read_xlsx(path, sheet=sheet, tool=tool)
    if fmt == "csv" or tool:
        return read_csv(path, encoding=encoding, delimiter=delimiter, tool=tool)
    if fmt == "json":
        return read_json(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    return read_parquet(path)
