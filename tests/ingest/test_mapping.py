"""Mapping files: columns, value recoding, constants, content ids, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ingest, query, reasons, write_csv
from touchpoints.errors import MappingError
from touchpoints.ingest import ingest_file
from touchpoints.services.workspace import Workspace


def _map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_values_and_constants(workspace: Workspace, tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "export.csv",
        ["ID", "Date", "Where", "Q1", "Q2", "Q3", "Name", "Email"],
        [
            [
                "a1",
                "2025-05-04 12:00",
                "线上商城",
                "10 - Extremely likely",
                "Very satisfied",
                "Great",
                "Ann",
                "ann@x.com",
            ],
            [
                "a2",
                "2025-05-04 13:00",
                "offline",
                "0 - Not at all likely",
                "Dissatisfied",
                "Slow",
                "Bob",
                "bob@x.com",
            ],
        ],
    )
    mapping = _map(
        tmp_path,
        "kind: responses\n"
        "columns: {response_id: ID, ts: Date, channel: Where, nps: Q1, csat: Q2, comment: Q3}\n"
        "values:\n"
        "  channel: {offline: store}\n"
        "  csat: {Very satisfied: 5, Satisfied: 4, Dissatisfied: 2}\n"
        "constants: {region: 华东, segment: vip}\n",
    )
    result = ingest(workspace, data, mapping)
    assert (result.accepted, result.quarantined) == (2, 0)
    assert sorted(result.ignored_columns) == ["Email", "Name"]
    rows = query(
        workspace,
        "SELECT response_id, channel, nps, csat, region, segment FROM responses ORDER BY 1",
    )
    assert rows == [("a1", "web", 10, 5, "华东", "vip"), ("a2", "store", 0, 2, "华东", "vip")]


def test_recode_by_glob_for_kano_answers(workspace: Workspace, tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "kano.csv",
        ["id", "time", "f", "d"],
        [["k1", "2025-05-04", "非常喜欢", "很不喜欢"], ["k2", "2025-05-04", "理所当然", "(跳过)"]],
    )
    mapping = _map(
        tmp_path,
        "kind: responses\n"
        "columns: {response_id: id, ts: time, kano.fast_pay.f: f, kano.fast_pay.d: d}\n"
        "recode: {kano.*: {非常喜欢: 1, 理所当然: 2, 无所谓: 3, 能忍受: 4, 很不喜欢: 5}}\n",
    )
    assert ingest(workspace, data, mapping).accepted == 2
    items = query(workspace, "SELECT response_id, item, value FROM response_items ORDER BY 1, 2")
    assert items == [
        ("k1", "kano.fast_pay.d", 5.0),
        ("k1", "kano.fast_pay.f", 1.0),
        ("k2", "kano.fast_pay.f", 2.0),  # (跳过) is a skipped question, not an answer
    ]


def test_content_ids_for_sources_without_ids(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        ["2025-05-04 09:00", "9", "good"],
        ["2025-05-04 09:00", "9", "good"],
        ["2025-05-04", "3", "bad"],
    ]
    data = write_csv(tmp_path / "anon.csv", ["ts", "nps", "comment"], rows)
    mapping = _map(
        tmp_path, "kind: responses\nids: content\ncolumns: {ts: ts, nps: nps, comment: comment}\n"
    )
    result = ingest(workspace, data, mapping)
    assert (result.accepted, result.duplicates) == (2, 1)
    ids = [r[0] for r in query(workspace, "SELECT response_id FROM responses")]
    assert all(i.startswith("h_") and len(i) == 18 for i in ids)
    assert ingest(workspace, data, mapping).duplicates == 3


def test_dayfirst_and_mapping_timezone(workspace: Workspace, tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "uk.csv", ["response_id", "ts", "nps"], [["u1", "07/09/2025 23:45", "9"]]
    )
    mapping = _map(tmp_path, "kind: responses\ndayfirst: true\ntimezone: Europe/London\n")
    ingest(workspace, data, mapping)
    ts = query(workspace, "SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM responses")
    assert ts == [("2025-09-07 22:45",)]  # 7 September, British summer time (UTC+1)


def test_auto_mapping_uses_model_column_aliases(workspace: Workspace, tmp_path: Path) -> None:
    model = workspace.root / "touchpoints.yaml"
    model.write_text(
        model.read_text(encoding="utf-8") + "column_aliases: {nps: [推荐度]}\n", encoding="utf-8"
    )
    data = write_csv(
        tmp_path / "a.csv", ["response_id", "ts", "推荐度"], [["r", "2025-05-04", "8"]]
    )
    ingest(Workspace.open(workspace.root), data)
    assert query(workspace, "SELECT nps FROM responses") == [(8,)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: responses\ncolumns: {nsp: Q1}\n", "columns.nsp: not a column of responses"),
        ("kind: responses\ncolumns: {response_id: ID, nps: Q9}\n", "columns.nps: no column 'Q9'"),
        ("kind: responses\ncolumns: {response_id: ID, kano.price: Q1}\n", "KANO items are"),
        ("kind: order\n", "unknown kind 'order'"),
        ("kind: responses\ncolumn: {}\n", "column: Extra inputs are not permitted"),
        ("kind: responses\ntimezone: Mars/Base\n", "unknown time zone 'Mars/Base'"),
        ("kind: responses\ncolumns: {ts: Date, nps: Q1}\n", "no column for response_id"),
    ],
)
def test_mapping_errors_are_clear(
    workspace: Workspace, tmp_path: Path, text: str, message: str
) -> None:
    data = write_csv(tmp_path / "a.csv", ["ID", "Date", "Q1"], [["1", "2025-05-04", "9"]])
    with pytest.raises(MappingError, match=message.replace(".", r"\.").replace("(", r"\(")):
        ingest(workspace, data, _map(tmp_path, text))
    assert query(workspace, "SELECT count(*) FROM ingests") == [(0,)]


def test_kind_option_and_mapping_must_agree(workspace: Workspace, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "a.csv", ["response_id", "ts", "nps"], [["1", "2025-05-04", "9"]])
    mapping = _map(tmp_path, "kind: responses\n")
    with pytest.raises(MappingError, match=r"^kind tickets disagrees with the mapping's kind"):
        ingest_file(workspace, data, kind="tickets", mapping_path=mapping)


def test_unmapped_columns_are_stored_nowhere(workspace: Workspace, tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "a.csv",
        ["response_id", "ts", "nps", "IPAddress", "RecipientEmail"],
        [["1", "2025-05-04", "99", "10.1.2.3", "secret@example.com"]],
    )
    ingest(workspace, data)
    assert "nps: 99 is outside 0–10" in reasons(workspace)["1"]
    ((data_json,),) = query(workspace, "SELECT data FROM quarantine")
    assert "secret" not in data_json
    assert "10.1.2.3" not in data_json


def test_cells_are_trimmed_and_skip_markers_are_missing(
    workspace: Workspace, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "a.csv",
        ["response_id", "ts", "touchpoint", "nps", "csat"],
        [
            [" r1 ", " 2025-05-04 ", "  store_checkout ", " 9", " (跳过) "],
            ["r2", "2025-05-04", "", "(空)", "4"],
        ],
    )
    assert ingest(workspace, data).accepted == 2
    rows = query(workspace, "SELECT response_id, touchpoint, nps, csat FROM responses ORDER BY 1")
    assert rows == [("r1", "store_checkout", 9, None), ("r2", None, None, 4)]
