"""Readers give back exactly the text that was written, whatever the text (hypothesis)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoints.ingest.readers import read_file

# Cells as people type them: Chinese, quotes, separators, line breaks, padding.
cells = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcXYZ 0123456789,;\"'\n\t|-_.@")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4E50),
    ),
    max_size=12,
)
tables = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8).map(
        lambda rows: ([f"col{i}" for i in range(width)], rows)
    )
)


def _expected(header: list[str], rows: list[list[str]]) -> list[dict[str, str | None]]:
    return [dict(zip(header, row, strict=True)) for row in rows]


@settings(max_examples=60, deadline=None)
@given(tables, st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_round_trip(table: tuple[list[str], list[list[str]]], encoding: str) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
            writer.writerow(header)
            writer.writerows(rows)
        raw = read_file(path, "csv", encoding=encoding)
        assert raw.headers == header
        assert raw.table.to_pylist() == _expected(header, rows)
        assert raw.rows.to_pylist() == list(range(2, len(rows) + 2))


@settings(max_examples=40, deadline=None)
@given(tables)
def test_jsonl_and_parquet_round_trip(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "t.jsonl"
        jsonl.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _expected(header, rows)),
            encoding="utf-8",
        )
        parquet = Path(tmp) / "t.parquet"
        columns = {h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}
        pq.write_table(pa.table(columns), parquet)
        for path, fmt in ((jsonl, "jsonl"), (parquet, "parquet")):
            raw = read_file(path, fmt)
            assert raw.table.to_pylist() == _expected(header, rows), fmt
