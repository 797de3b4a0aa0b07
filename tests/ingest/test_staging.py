"""A file into the engine a batch at a time: the same outcome whatever the batches.

Large files are read in blocks and copied into the engine block by block
(``touchpoints.ingest.staging``); these tests pin that nothing about the outcome depends on
it: row numbers, refused rows and stored records are those of reading the file whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ingest, query
from touchpoints.ingest import staging
from touchpoints.ingest.raw import BadRow
from touchpoints.ingest.readers import row_numbers
from touchpoints.services.workspace import Workspace


def test_row_numbers_skip_the_bad_rows() -> None:
    """Records 3, 4 and 8 of a file could not be split (record 1 is the header).

    | good record | 1 | 2 | 3 | 4 | 5 | 6 | 7  |
    | row number  | 1 | 2 | 5 | 6 | 7 | 9 | 10 |
    """
    bad = [BadRow(3, "x"), BadRow(4, "x"), BadRow(8, "x")]
    assert row_numbers(1, 7, bad).tolist() == [1, 2, 5, 6, 7, 9, 10]
    assert row_numbers(4, 4, bad).tolist() == [6, 7, 9, 10]  # a later batch


@given(
    total=st.integers(1, 300),
    data=st.data(),
)
def test_row_numbers_in_batches_are_the_good_rows_in_order(total: int, data: st.DataObject) -> None:
    """Against the definition: the good rows are the numbers 1..total that are not bad."""
    bad_numbers = sorted(data.draw(st.sets(st.integers(1, total), max_size=total)))
    good = [n for n in range(1, total + 1) if n not in set(bad_numbers)]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(good)), max_size=5)))
    bad = [BadRow(n, "x") for n in bad_numbers]
    got: list[int] = []
    for start, end in zip([0, *cuts], [*cuts, len(good)], strict=True):
        got += row_numbers(start + 1, end - start, bad).tolist()
    assert got == good


ROWS = 250_000  # about 17 MB of CSV: more than one 16 MiB block
MALFORMED = (2, 70_001, 180_000, ROWS + 1)  # record numbers (the header is record 1)


def _big_csv(path: Path) -> Path:
    """A responses CSV whose records at MALFORMED have one field too many."""
    lines = ["response_id,ts,customer,touchpoint,nps,comment"]
    for record in range(2, ROWS + 2):
        line = f"R{record},2025-05-04 10:00,m-{record % 997},store_checkout,{record % 11},ok"
        lines.append(line + (",extra" if record in MALFORMED else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _outcome(workspace: Workspace) -> tuple[object, ...]:
    return (
        query(workspace, "SELECT count(*), sum(nps), min(response_id) FROM responses"),
        query(workspace, 'SELECT "row", reasons FROM quarantine ORDER BY "row"'),
    )


@pytest.mark.slow
def test_a_file_copied_to_the_engine_in_batches_is_read_as_a_whole(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same CSV through the in-memory path and, with no memory budget, the batch-by-batch
    copy: the same records stored and the malformed records refused at their own row
    numbers, wherever the blocks were cut."""
    path = _big_csv(tmp_path / "big.csv")
    whole = ingest(workspace, path)
    in_memory = _outcome(workspace)
    workspace.warehouse_path.unlink()
    monkeypatch.setattr(staging, "IN_MEMORY_BYTES", 0)
    batched = ingest(workspace, path)
    assert _outcome(workspace) == in_memory
    assert (batched.read, batched.accepted, batched.quarantined) == (
        whole.read,
        whole.accepted,
        whole.quarantined,
    )
    assert batched.read == ROWS
    assert [row for row, _ in in_memory[1]] == list(MALFORMED)  # type: ignore[index]


@pytest.mark.slow
def test_json_lines_whose_fields_change_part_way_are_read_line_by_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Arrow reads JSON lines a block at a time and fails when a later block gives a field
    another type; the file is then read again line by line, with nothing read twice."""
    lines = [
        json.dumps(
            {"response_id": f"R{i}", "ts": "2025-05-04 10:00", "nps": i % 11, "pad": "x" * 90}
        )
        for i in range(200_000)
    ]
    lines.append(json.dumps({"response_id": "RX", "ts": "2025-05-04 10:00", "nps": {"a": 1}}))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (200_001, 200_000, 1)
    assert query(workspace, 'SELECT "row" FROM quarantine') == [(200_001,)]


def test_a_parquet_file_is_read_row_group_by_row_group(
    workspace: Workspace, tmp_path: Path
) -> None:
    n = 5_000
    table = pa.table(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "ts": ["2025-05-04 10:00"] * n,
            "nps": np.arange(n) % 12,  # 11 is out of range
        }
    )
    path = tmp_path / "r.parquet"
    pq.write_table(table, path, row_group_size=1_000)
    assert pq.ParquetFile(path).num_row_groups == 5
    result = ingest(workspace, path)
    refused = [i + 1 for i in range(n) if i % 12 == 11]  # row numbers count from 1
    assert (result.read, result.quarantined) == (n, len(refused))
    assert query(workspace, 'SELECT "row" FROM quarantine ORDER BY "row"') == [
        (r,) for r in refused
    ]
