"""The quarantine's round trip: export, fix, ingest back with no mapping.

The source file is read through a mapping that renames every column, recodes values, adds a
constant and reads naive day-first times in Berlin while the workspace is in Shanghai: the
export must carry all of that in canonical form, so the file goes back with ``--kind`` alone.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from conftest import query, write_csv
from touchpoints.ingest import IngestResult, export_quarantine, ingest_file, list_quarantine
from touchpoints.services.workspace import Workspace

MAPPING = """\
kind: responses
timezone: Europe/Berlin
dayfirst: true
columns:
  response_id: 编号
  ts: 填写时间
  customer: 手机
  touchpoint: 触点名
  nps: 推荐
  comment: 反馈内容
  attr.wait: 等待
values:
  touchpoint: {柜台: store_checkout}
  nps: {非常愿意: 10}
constants:
  channel: store
"""
SOURCE_HEADER = ["编号", "填写时间", "手机", "触点名", "推荐", "反馈内容", "等待"]
SOURCE_ROWS = [
    ["A1", "03/05/2025 09:30", "13800138000", "柜台", "9", "很好", "4"],
    ["A2", "04/05/2025 10:00", "13900139000", "柜台", "11", "call me 13900139000", "3"],
    ["A3", "05/05/2025 11:00", "13700137000", "停车场", "非常愿意", "停车场在哪", "2.5"],
    ["A4", "2025-13-40", "13600136000", "柜台", "7", "", ""],
]
EXPORT_HEADER = [
    "response_id",
    "ts",
    "customer",
    "channel",
    "touchpoint",
    "nps",
    "comment",
    "attr.wait",
    "_quarantine_key",
    "reasons",
]


def _ingest(workspace: Workspace, path: Path, mapping: Path | None = None) -> IngestResult:
    """Ingest, and check the count invariant on the way."""
    result = ingest_file(workspace, path, kind="responses", mapping_path=mapping)
    assert result.read == result.accepted + result.quarantined + result.duplicates
    return result


def _ingest_source(workspace: Workspace, tmp_path: Path) -> Path:
    """The source through its mapping: A1 accepted, A2–A4 refused; returns the mapping."""
    mapping = tmp_path / "survey.map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    source = write_csv(tmp_path / "survey.csv", SOURCE_HEADER, SOURCE_ROWS)
    result = _ingest(workspace, source, mapping)
    assert (result.accepted, result.quarantined) == (1, 3)
    return mapping


def _export(workspace: Workspace, out: Path) -> list[dict[str, str]]:
    assert export_quarantine(workspace, out, "responses") == len(list_quarantine(workspace))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(workspace: Workspace, sql: str, params: list[Any]) -> None:
    """Change the quarantine behind touchpoints' back, as an earlier version left it."""
    with duckdb.connect(str(workspace.warehouse_path)) as con:
        con.execute(sql, params)


def _entries(workspace: Workspace) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """What each entry holds, by key (its file and row are those of its last refusal)."""
    return {e["key"]: (e["data"], e["reasons"]) for e in list_quarantine(workspace)}


def test_export_is_canonical_and_independent_of_the_mapping(
    workspace: Workspace, tmp_path: Path
) -> None:
    _ingest_source(workspace, tmp_path)
    rows = _export(workspace, tmp_path / "to-fix.csv")
    assert list(rows[0]) == EXPORT_HEADER
    a2, a3, a4 = rows
    # Berlin is UTC+2 in May: 4 May (day first) 10:00 there is 08:00 UTC.
    assert a2["ts"] == "2025-05-04T08:00:00Z"
    assert a3["ts"] == "2025-05-05T09:00:00Z"
    # A time that failed stays as written, for the user to fix.
    assert a4["ts"] == "2025-13-40"
    # Recoded by the mapping's values; the constant is a column of its own.
    assert (a2["touchpoint"], a3["nps"], a2["channel"]) == ("store_checkout", "10", "store")
    # A failed value is kept as written, free text masked; an item is a number.
    assert (a3["touchpoint"], a3["attr.wait"]) == ("停车场", "2.5")
    assert a2["comment"] == "call me [phone]"
    assert all(r["customer"].startswith("cx_") for r in rows)
    assert [r["_quarantine_key"] for r in rows] == ["A2", "A3", "A4"]


def test_fixed_export_goes_back_with_no_mapping(workspace: Workspace, tmp_path: Path) -> None:
    _ingest_source(workspace, tmp_path)
    out = tmp_path / "to-fix.csv"
    a2, a3, a4 = _export(workspace, out)
    before = _entries(workspace)
    a2["nps"] = "9"
    a3["touchpoint"] = "store_checkout"
    write_csv(out, EXPORT_HEADER, [list(r.values()) for r in (a2, a3, a4)], encoding="utf-8-sig")
    result = _ingest(workspace, out)
    assert (result.accepted, result.quarantined, result.duplicates) == (2, 1, 0)
    assert _entries(workspace) == {"A4": before["A4"]}
    stored = query(
        workspace,
        "SELECT response_id, ts, customer, channel, touchpoint, nps, comment FROM responses "
        "WHERE response_id IN ('A2', 'A3') ORDER BY 1",
    )
    # The times are where the mapping put them (Berlin, day first), not read again.
    a2_time, a3_time = datetime(2025, 5, 4, 8, tzinfo=UTC), datetime(2025, 5, 5, 9, tzinfo=UTC)
    assert stored == [
        ("A2", a2_time, a2["customer"], "store", "store_checkout", 9, "call me [phone]"),
        ("A3", a3_time, a3["customer"], "store", "store_checkout", 10, "停车场在哪"),
    ]
    items = query(workspace, "SELECT response_id, item, value FROM response_items ORDER BY 1")
    assert items == [("A1", "attr.wait", 4.0), ("A2", "attr.wait", 3.0), ("A3", "attr.wait", 2.5)]
    # The pseudonyms were issued here, so they are kept: A2 is the customer of 13900139000.
    assert query(workspace, "SELECT count(DISTINCT customer) FROM responses") == [(3,)]


def test_unfixed_export_leaves_every_entry_as_it_was(workspace: Workspace, tmp_path: Path) -> None:
    _ingest_source(workspace, tmp_path)
    before = _entries(workspace)
    _export(workspace, tmp_path / "to-fix.csv")
    result = _ingest(workspace, tmp_path / "to-fix.csv")
    assert (result.accepted, result.quarantined, result.duplicates) == (0, 3, 0)
    assert _entries(workspace) == before


def test_export_with_a_column_deleted_does_not_replace_its_entry(
    workspace: Workspace, tmp_path: Path
) -> None:
    _ingest_source(workspace, tmp_path)
    before = _entries(workspace)
    out = tmp_path / "to-fix.csv"
    rows = _export(workspace, out)
    header = [c for c in EXPORT_HEADER if c != "comment"]
    write_csv(out, header, [[r[c] for c in header] for r in rows], encoding="utf-8-sig")
    result = _ingest(workspace, out)
    assert (result.accepted, result.quarantined) == (0, 3)
    after = _entries(workspace)
    # A2 and A3 had a comment: their entries stay whole, the rows without it are kept beside
    # under keys of their content. A4 had none, so its row carries all it had and replaces it.
    assert {k: after[k] for k in before} == before
    beside = sorted((v for k, v in after.items() if k not in before), key=lambda v: str(v[0]))
    assert [k.startswith("row_") for k in after if k not in before] == [True, True]
    expected = [
        ({k: v for k, v in before[key][0].items() if k != "comment"}, before[key][1])
        for key in ("A2", "A3")
    ]
    assert beside == sorted(expected, key=lambda v: str(v[0]))


def test_legacy_entries_stay_until_their_own_mapping_takes_them(
    workspace: Workspace, tmp_path: Path
) -> None:
    """An entry stored by an earlier version, under the source headers, next to a canonical
    one: each goes back by its own ingest, and each ingest leaves the other alone."""
    mapping = _ingest_source(workspace, tmp_path)
    ((customer,),) = query(workspace, "SELECT customer FROM responses WHERE response_id = 'A1'")
    values = ["L1", "04/05/2025 12:00", customer, "柜台", "11", "ok", "3"]
    legacy = dict(zip(SOURCE_HEADER, values, strict=True))
    _write(workspace, "DELETE FROM quarantine WHERE key IN ('A2', 'A3')", [])
    _write(
        workspace,
        "INSERT INTO quarantine VALUES ('responses', 'L1', 'old.csv', 2, ?, ?, 1)",
        [json.dumps(legacy, ensure_ascii=False), ["nps: 11 is outside 0–10"]],
    )
    before = _entries(workspace)
    out = tmp_path / "to-fix.csv"
    rows = _export(workspace, out)
    header = list(rows[0])
    assert header == [*EXPORT_HEADER[:6], *SOURCE_HEADER, *EXPORT_HEADER[-2:]]
    result = _ingest(workspace, out)  # no mapping: A4 replaces itself, L1 has nothing read
    assert (result.accepted, result.quarantined) == (0, 2)
    assert _entries(workspace) == before
    for row in rows:
        row["推荐"] = "9" if row["推荐"] else ""
    write_csv(out, header, [list(r.values()) for r in rows], encoding="utf-8-sig")
    result = _ingest(workspace, out, mapping)  # the old mapping: L1 fixed, A4 has nothing read
    assert (result.accepted, result.quarantined) == (1, 1)
    assert _entries(workspace) == {"A4": before["A4"]}
    assert query(workspace, "SELECT ts, nps FROM responses WHERE response_id = 'L1'") == [
        (datetime(2025, 5, 4, 10, tzinfo=UTC), 9)
    ]


def test_an_old_entry_turns_canonical_when_its_source_comes_again(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The source file ingested again with its mapping carries every column an old entry
    holds (read through the mapping's headers), so it replaces it in the canonical form."""
    mapping = _ingest_source(workspace, tmp_path)
    before = _entries(workspace)
    # As the earlier version stored it: each mapped column under its source header.
    columns = ["response_id", "ts", "customer", "touchpoint", "nps", "comment", "attr.wait"]
    old = {h: before["A2"][0][c] for h, c in zip(SOURCE_HEADER, columns, strict=True)}
    sql = "UPDATE quarantine SET data = ? WHERE key = 'A2'"
    _write(workspace, sql, [json.dumps(old, ensure_ascii=False)])
    assert list(_entries(workspace)["A2"][0]) == SOURCE_HEADER
    _ingest(workspace, tmp_path / "survey.csv", mapping)
    assert _entries(workspace) == before
