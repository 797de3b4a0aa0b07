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
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from touchpoints.errors import FileFormatError
from touchpoints.ingest.encoding import detect_encoding
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


Batch = tuple[pa.Table, pa.Array]


class StartOver(Exception):
    """Raised part-way through a fast reader's batches: read the file again with ``slow``."""


@dataclass
class RawStream:
    """A file as text, a batch at a time, so that memory does not grow with the file.

    Each batch is a table named by source headers, with the row number of each record; a
    later batch may bring headers the earlier ones lacked (JSON lines). ``bad_rows`` fills as
    the batches are read. A fast reader that finds part-way that it cannot go on (JSON lines
    whose fields change type) raises :class:`StartOver`, and ``slow`` reads the file again.
    """

    batches: Iterator[Batch]
    bad_rows: list[BadRow] = field(default_factory=list)
    encoding: str | None = None
    slow: Callable[[], RawStream] | None = None

    @classmethod
    def of(cls, raw: RawTable) -> RawStream:
        """A file read whole (spreadsheets, JSON documents) as one batch."""
        return cls(iter([(raw.table, raw.rows)]), raw.bad_rows, raw.encoding)


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


def read_xlsx(path: Path, *, sheet: str | int | None = None, tool: str | None = None) -> RawTable:
    """Read one sheet as text; refuse it if a formula cell in it has no saved value.

    A spreadsheet keeps each formula's last result beside it, and readers (calamine here)
    read that result. A file written by a program (openpyxl, a script) and never opened in a
    spreadsheet program has formulas but no results, and they would read as empty cells:
    answers silently missing. Such cells come from how the file was made, not from single
    answers — usually a whole computed column — so the file is refused with one line naming
    the first such cell, its column and how many there are, rather than every row going to
    the quarantine: the fix (open and save the file, or paste values) is one step for the
    whole file, and nothing is stored from it meanwhile.
    """
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
    raw = _from_records(data.to_python(skip_empty_area=False), tool)
    count, first = _formulas_without_values(path, data.name)
    if first is not None:
        row, column = first
        header = f" in column {raw.headers[column - 1]!r}" if column <= len(raw.headers) else ""
        cells = "1 formula cell has" if count == 1 else f"{count} formula cells have"
        raise FileFormatError(
            f"{path}: {cells} no saved value (the file was never calculated by a spreadsheet "
            f"program), the first at {_cell_name(row, column)}{header} of sheet {data.name!r}: "
            "open and save the file in a spreadsheet program, or paste the formulas as values"
        )
    return raw


# Any formula element, prefixed or not (<f>, <f t="shared" …/>, <x:f>): a cheap test before
# the sheet is parsed as XML, which only files holding formulas pay.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _local(tag: str) -> str:
    """An XML tag without its namespace: transitional and strict OOXML name them apart."""
    return tag.rpartition("}")[2]


def _cell_name(row: int, column: int) -> str:
    """Row 5, column 3 → ``C5``."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _column_number(letters: str) -> int:
    """``C`` → 3, ``AA`` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_member(book: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding sheet ``name``: the workbook lists it, its relations place it."""
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    ids = [
        value
        for s in workbook.iterfind(".//{*}sheet")
        if s.get("name") == name
        for key, value in s.attrib.items()
        if _local(key) == "id"
    ]
    targets = [r.get("Target", "") for r in relations if ids and r.get("Id") == ids[0]]
    if not targets:
        return None
    target = targets[0]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _has_formulas(book: zipfile.ZipFile, member: str) -> bool:
    with book.open(member) as stream:
        tail = b""
        while chunk := stream.read(1 << 22):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _formulas_without_values(path: Path, sheet: str) -> tuple[int, tuple[int, int] | None]:
    """How many formula cells of ``sheet`` have no saved result, and the (row, column) of the
    first. A result is a ``<v>`` with text, or an empty one on a text result (``t="str"``:
    a formula that gave ""); openpyxl writes an empty ``<v/>`` on a number cell. Legacy
    ``.xls`` files always store results, so only zip-based workbooks are looked at."""
    if not zipfile.is_zipfile(path):
        return 0, None
    count, first = 0, None
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, sheet)
        if member is None or member not in book.namelist() or not _has_formulas(book, member):
            return 0, None
        row = 0
        with book.open(member) as stream:
            for _, element in ElementTree.iterparse(stream):
                if _local(element.tag) != "row":
                    continue
                row, column = int(element.get("r") or row + 1), 0
                for cell in element:
                    found = _REFERENCE.fullmatch(cell.get("r", ""))
                    column = _column_number(found[1]) if found else column + 1
                    parts = {_local(child.tag): child for child in cell}
                    value = parts.get("v")
                    saved = "is" in parts or (
                        value is not None and (bool(value.text) or cell.get("t") == "str")
                    )
                    if "f" in parts and not saved:
                        count += 1
                        first = first or (row, column)
                element.clear()
    return count, first


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
