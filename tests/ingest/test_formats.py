"""Every file format reads the same three answers into the same stored rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from conftest import ingest, query, write_csv
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "channel", "touchpoint", "nps", "csat", "comment"]
ROWS = [
    ["R1", "2025-05-04 09:30:00", "store", "store_checkout", "3", "2", "排队太久了"],
    ["R2", "2025-05-04 10:00:00", "web", "web_checkout", "10", "5", "Fast, easy payment"],
    ["R3", "2025-05-05 18:15:00", "app", "app_delivery", "8", "4", "送货准时"],
]
# Naive times are read in the workspace zone (Asia/Shanghai, UTC+8): 09:30 there is 01:30 UTC.
EXPECTED = [
    ("R1", "2025-05-04 01:30:00", "store", "store_checkout", 3, 2, "排队太久了", "zh"),
    ("R2", "2025-05-04 02:00:00", "web", "web_checkout", 10, 5, "Fast, easy payment", "en"),
    ("R3", "2025-05-05 10:15:00", "app", "app_delivery", 8, 4, "送货准时", "zh"),
]
STORED = (
    "SELECT response_id, strftime(ts, '%Y-%m-%d %H:%M:%S'), channel, touchpoint, nps, csat, "
    "comment, language FROM responses ORDER BY response_id"
)


def _check(workspace: Workspace, path: Path, mapping: Path | None = None) -> None:
    result = ingest(workspace, path, mapping)
    assert (result.read, result.accepted, result.quarantined, result.duplicates) == (3, 3, 0, 0)
    assert query(workspace, STORED) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_each_encoding(workspace: Workspace, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "answers.csv", HEADER, ROWS, encoding=encoding)
    _check(workspace, path)
    assert ingest(workspace, path).duplicates == 3


def test_gbk_csv_with_chinese_headers(workspace: Workspace, tmp_path: Path) -> None:
    """Excel's default CSV on a Chinese Windows: GBK, Chinese column names, no mapping."""
    header = ["答卷编号", "提交时间", "渠道", "触点", "推荐意愿", "满意度", "意见"]
    rows = [[r[0], r[1], *r[2:]] for r in ROWS]
    rows[0][2] = "门店"  # a channel by its Chinese name
    rows[0][3] = "收银台"  # a touchpoint by its alias
    path = write_csv(tmp_path / "问卷.csv", header, rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    _check(workspace, path)


def test_semicolon_and_tab_delimited(workspace: Workspace, tmp_path: Path) -> None:
    lines = [";".join(HEADER)] + [";".join(r) for r in ROWS]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(workspace, path)
    tsv = tmp_path / "answers.tsv"
    tsv.write_text("\n".join("\t".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    assert ingest(workspace, tsv).duplicates == 3


def test_quoted_newlines_in_comments(workspace: Workspace, tmp_path: Path) -> None:
    rows = [r[:] for r in ROWS]
    rows[1][6] = "line one\nline two, with a comma"
    path = write_csv(tmp_path / "answers.csv", HEADER, rows)
    result = ingest(workspace, path)
    assert result.accepted == 3
    comment = query(workspace, "SELECT comment FROM responses WHERE response_id = 'R2'")
    assert comment == [("line one\nline two, with a comma",)]


def test_xlsx_with_typed_cells(workspace: Workspace, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in ROWS:
        # Real spreadsheets hold dates and numbers, not text.
        when = dt.datetime.strptime(row[1], "%Y-%m-%d %H:%M:%S")
        sheet.append([row[0], when, row[2], row[3], int(row[4]), float(row[5]), row[6]])
    path = tmp_path / "answers.xlsx"
    book.save(path)
    _check(workspace, path)


def test_xlsx_named_sheet_through_mapping(workspace: Workspace, tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "说明"
    first.append(["This sheet explains the survey"])
    data = book.create_sheet("数据")
    data.append(["编号", "时间", "触点", "NPS", "满意度", "备注"])
    for row in ROWS:
        data.append([row[0], row[1], row[3], row[4], row[5], row[6]])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: responses\nsheet: 数据\n"
        "columns: {response_id: 编号, ts: 时间, touchpoint: 触点, nps: NPS, csat: 满意度, "
        "comment: 备注}\n",
        encoding="utf-8",
    )
    _check(workspace, path, mapping)


def test_json_array_and_wrapped_object(workspace: Workspace, tmp_path: Path) -> None:
    records = [dict(zip(HEADER, r, strict=True)) for r in ROWS]
    for record in records:  # JSON numbers, not strings
        record["nps"] = int(record["nps"])
        record["csat"] = int(record["csat"])
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    _check(workspace, path)
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"responses": records}), encoding="utf-8")
    assert ingest(workspace, wrapped).duplicates == 3


def test_jsonl(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    lines = [json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(workspace, path)


def test_parquet_with_native_types(workspace: Workspace, tmp_path: Path) -> None:
    """Parquet keeps types: integers, and timestamps with their zone (here UTC)."""
    table = pa.table(
        {
            "response_id": [r[0] for r in ROWS],
            "ts": pa.array(
                [
                    dt.datetime(2025, 5, 4, 1, 30, tzinfo=dt.UTC),
                    dt.datetime(2025, 5, 4, 2, 0, tzinfo=dt.UTC),
                    dt.datetime(2025, 5, 5, 10, 15, tzinfo=dt.UTC),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "channel": [r[2] for r in ROWS],
            "touchpoint": [r[3] for r in ROWS],
            "nps": pa.array([int(r[4]) for r in ROWS], pa.int8()),
            "csat": pa.array([float(r[5]) for r in ROWS], pa.float64()),
            "comment": [r[6] for r in ROWS],
        }
    )
    path = tmp_path / "answers.parquet"
    pq.write_table(table, path)
    _check(workspace, path)
