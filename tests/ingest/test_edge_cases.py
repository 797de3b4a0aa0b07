"""Edge cases found in a review of ingestion and privacy at the door.

Each test asserts what CONTRACTS.md asks for on an input that once broke it (unsplit rows,
state versions, keyless refusals, unusual spaces and phone spellings…), or pins behaviour
checked during the review that the other test modules do not cover.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from conftest import ingest, query, reasons, write_csv
from touchpoints.cli.app import app
from touchpoints.ingest import IngestResult, export_quarantine, ingest_file, list_quarantine
from touchpoints.services.workspace import Workspace

TICKET_HEADER = ["ticket_id", "created_at", "status"]
COST_HEADER = ["channel", "period_start", "period_end", "cost"]


def _counted_once(result: IngestResult) -> None:
    assert result.read == result.accepted + result.quarantined + result.duplicates


def _quarantine_text(workspace: Workspace) -> str:
    return json.dumps(list_quarantine(workspace), ensure_ascii=False)


def _ticket(status: str) -> list[str]:
    return ["T1", "2025-05-04 09:00", status]


# --- Privacy -----------------------------------------------------------------------------


def test_badly_split_row_keeps_unmapped_and_raw_identifiers(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(
        "response_id,ts,customer,name,nps\n"
        "R1,2025-05-04,member-778899,张三丰,9\n"
        "R2,2025-05-04,member-445566,李四光,9,extra\n",
        encoding="utf-8",
    )
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (2, 1, 1)
    stored = _quarantine_text(workspace)
    assert "李四光" not in stored  # an unmapped column: dropped at the door
    assert "member-445566" not in stored  # an identifier: pseudonymised


def test_mobile_after_bracketed_country_code_is_masked(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [["R1", "2025-05-04", "9", "请回电(+86)13800138000"]]
    ingest(workspace, write_csv(tmp_path / "a.csv", ["response_id", "ts", "nps", "comment"], rows))
    ((comment,),) = query(workspace, "SELECT comment FROM responses")
    assert "13800138000" not in comment


def test_full_width_mobile_is_masked(workspace: Workspace, tmp_path: Path) -> None:
    rows = [["R1", "2025-05-04", "9", "电话１３８００１３８０００"]]
    ingest(workspace, write_csv(tmp_path / "a.csv", ["response_id", "ts", "nps", "comment"], rows))
    ((comment,),) = query(workspace, "SELECT comment FROM responses")
    assert "１３８００１３８０００" not in comment


def test_source_mapped_twice_keeps_free_text_masked_in_quarantine(
    workspace: Workspace, tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: responses\ncolumns: {response_id: id, ts: ts, nps: n, comment: c, segment: c}\n",
        encoding="utf-8",
    )
    rows = [["R1", "2025-05-04", "11", "call 13800138000"]]
    path = write_csv(tmp_path / "a.csv", ["id", "ts", "n", "c"], rows)
    assert ingest(workspace, path, mapping).quarantined == 1
    assert "13800138000" not in _quarantine_text(workspace)


# --- States ------------------------------------------------------------------------------


def test_reingesting_a_file_with_state_versions_changes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "t.csv", TICKET_HEADER, [_ticket("open"), _ticket("resolved")])
    first = ingest_file(workspace, path, kind="tickets")
    assert (first.accepted, first.updated) == (2, 1)
    history = query(workspace, "SELECT count(*) FROM tickets_history")
    again = ingest_file(workspace, path, kind="tickets")
    _counted_once(again)
    assert (again.accepted, again.updated, again.duplicates) == (0, 0, 2)
    assert query(workspace, "SELECT count(*) FROM tickets_history") == history


def test_last_version_in_the_file_wins_even_when_it_repeats_an_earlier_one(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [_ticket("open"), _ticket("resolved"), _ticket("open")]
    result = ingest_file(
        workspace, write_csv(tmp_path / "t.csv", TICKET_HEADER, rows), kind="tickets"
    )
    _counted_once(result)
    assert query(workspace, "SELECT status FROM tickets") == [("open",)]


def test_customer_update_keeps_previous_items(workspace: Workspace, tmp_path: Path) -> None:
    header = ["customer", "segment", "attr.points"]
    ingest_file(
        workspace, write_csv(tmp_path / "a.csv", header, [["m1", "vip", "10"]]), kind="customers"
    )
    moved = ingest_file(
        workspace, write_csv(tmp_path / "b.csv", header, [["m1", "vip", "20"]]), kind="customers"
    )
    assert moved.updated == 1
    stored = query(workspace, "SELECT * FROM information_schema.tables")
    everything = "\n".join(
        str(query(workspace, f'SELECT * FROM "{row[2]}"')) for row in stored if row[2] != "ingests"
    )
    assert "10.0" in everything  # the replaced version's item survives somewhere


# --- Quarantine --------------------------------------------------------------------------


def test_content_ids_keep_every_refused_row(workspace: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: responses\nids: content\ncolumns: {ts: ts, nps: nps}\n")
    rows = [["2025-05-04", "11"], ["2025-05-04", "12"]]
    result = ingest(workspace, write_csv(tmp_path / "a.csv", ["ts", "nps"], rows), mapping)
    assert result.quarantined == 2
    assert len(list_quarantine(workspace)) == 2


def test_whitespace_only_identifier_is_missing(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        ["R1", "2025-05-04", "\u3000", "9"],
        ["R2", "2025-05-04", "\t", "9"],
        ["R3", "2025-05-04", "\u00a0", "9"],
    ]
    header = ["response_id", "ts", "customer", "nps"]
    result = ingest(workspace, write_csv(tmp_path / "a.csv", header, rows))
    assert reasons(workspace) == {}
    assert result.accepted == 3


def test_state_accepted_after_its_refusal_in_one_file_leaves_quarantine(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = [*TICKET_HEADER, "csat"]
    rows = [[*_ticket("open"), "9"], [*_ticket("resolved"), "4"]]
    result = ingest_file(workspace, write_csv(tmp_path / "t.csv", header, rows), kind="tickets")
    assert (result.accepted, result.quarantined) == (1, 1)
    assert query(workspace, "SELECT status FROM tickets") == [("resolved",)]
    assert list_quarantine(workspace) == []


def test_fixed_export_of_a_keyless_row_clears_it(workspace: Workspace, tmp_path: Path) -> None:
    rows = [["sotre", "2025-06-01", "2025-06-30", "100"]]
    ingest_file(workspace, write_csv(tmp_path / "c.csv", COST_HEADER, rows), kind="channel_costs")
    out = tmp_path / "quarantine.csv"
    assert export_quarantine(workspace, out) == 1
    fixed = out.read_text(encoding="utf-8-sig").replace("sotre", "store")
    out.write_text(fixed, encoding="utf-8-sig")
    result = ingest_file(workspace, out, kind="channel_costs")
    assert result.accepted == 1
    assert list_quarantine(workspace) == []


def test_blank_spreadsheet_row_is_not_a_record(workspace: Workspace, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["response_id", "ts", "nps"])
    sheet.append(["R1", dt.datetime(2025, 5, 4, 10), 9])
    sheet.append([None, None, None])
    sheet.append(["R2", dt.date(2025, 5, 4), 10])
    path = tmp_path / "a.xlsx"
    book.save(path)
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (2, 2, 0)


# --- Command line ------------------------------------------------------------------------

runner = CliRunner()


def _cli_ingest(workspace: Workspace, path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["ingest", str(path), "-w", str(workspace.root), "--format", "json", *extra]
    )
    return result.exit_code, result.stdout


@pytest.mark.parametrize("setting", ["encoding: nonsense", "delimiter: ';;'"])
def test_bad_mapping_setting_is_a_user_error(
    workspace: Workspace, tmp_path: Path, setting: str
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"kind: responses\n{setting}\n", encoding="utf-8")
    path = write_csv(tmp_path / "a.csv", ["response_id", "ts", "nps"], [["R1", "2025-05-04", "9"]])
    code, out = _cli_ingest(workspace, path, "--map", str(mapping))
    assert code == 1
    assert "error" in json.loads(out)


def test_source_column_named_row(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", ["response_id", "ts", "nps", "_row"], [["R1", "2025-05-04", "9", "1"]]
    )
    code, out = _cli_ingest(workspace, path, "--kind", "responses")
    assert code == 0
    assert json.loads(out)["accepted"] == 1


# --- Checked and correct -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("responses", ["response_id", "ts", "nps"]),
        ("tickets", TICKET_HEADER),
        ("customers", ["customer", "email"]),
        ("channel_costs", COST_HEADER),
    ],
)
def test_header_only_file_reads_nothing(
    workspace: Workspace, tmp_path: Path, kind: str, header: list[str]
) -> None:
    result = ingest_file(workspace, write_csv(tmp_path / "h.csv", header, []), kind=kind)
    assert (result.read, result.accepted, result.quarantined, result.duplicates) == (0, 0, 0, 0)


def test_every_row_badly_split_is_quarantined_once(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("response_id,ts,nps\nR1,2025-05-04,9,x\nR2,2025-05-04,9,y\n", encoding="utf-8")
    for _ in range(2):
        result = ingest(workspace, path)
        assert (result.read, result.quarantined) == (2, 2)
    assert [e["row"] for e in list_quarantine(workspace)] == [2, 3]


def test_channel_cost_periods_in_other_date_formats_are_one_key(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [
        ["store", "2025-05-01", "2025-05-31", "100"],
        ["门店", "2025/5/1", "2025年5月31日", "100"],
        ["Store", "5/1/2025", "5/31/2025", "100"],
    ]
    path = write_csv(tmp_path / "c.csv", COST_HEADER, rows)
    result = ingest_file(workspace, path, kind="channel_costs")
    assert (result.accepted, result.duplicates, result.updated) == (1, 2, 0)
    again = ingest_file(workspace, path, kind="channel_costs")
    assert (again.accepted, again.duplicates) == (0, 3)


def test_one_source_column_as_customer_and_phone(workspace: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: customers\ncolumns: {customer: 手机, phone: 手机}\n")
    path = write_csv(tmp_path / "c.csv", ["手机"], [["13800138000"], ["139 0013 9000"]])
    assert ingest(workspace, path, mapping).accepted == 2
    assert query(workspace, "SELECT count(*) FROM customers WHERE customer = phone") == [(2,)]
    assert ingest(workspace, path, mapping).duplicates == 2


def test_blank_lines_keep_row_numbers_of_records(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "response_id,ts,nps\nR1,2025-05-04,9\n\n\nR2,2025-05-04,9,x\nR3,2025-05-04,x\n",
        encoding="utf-8",
    )
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (3, 1, 2)
    assert sorted(e["row"] for e in list_quarantine(workspace)) == [3, 4]


def test_nested_json_values_are_text_and_masked(workspace: Workspace, tmp_path: Path) -> None:
    records = [
        {"response_id": "R1", "ts": "2025-05-04", "nps": 9.0, "comment": {"t": "call 13900139000"}},
        {"response_id": "R2", "ts": "2025-05-04", "nps": 7, "comment": ["a", "b"]},
    ]
    for suffix, text in (
        (".json", json.dumps(records)),
        (".jsonl", "\n".join(json.dumps(r) for r in records)),
    ):
        result = ingest(workspace, _write(tmp_path / f"a{suffix}", text))
        assert result.accepted + result.duplicates == 2
    assert query(workspace, "SELECT nps, comment FROM responses ORDER BY 1 DESC") == [
        (9, '{"t": "call [phone]"}'),
        (7, '["a", "b"]'),
    ]


def test_headers_with_unicode_spaces_and_bom(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "\ufeff response_id\u00a0,\u3000ts,NPS ,Customer ID\nR1,2025-05-04,9,m1\n",
        encoding="utf-8",
    )
    assert ingest(workspace, path).accepted == 1
    assert query(workspace, "SELECT response_id, nps FROM responses") == [("R1", 9)]


def test_export_rows_are_csv_readable_after_state_refusal(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = [*TICKET_HEADER, "csat"]
    path = write_csv(tmp_path / "t.csv", header, [[*_ticket("open"), "9"]])
    ingest_file(workspace, path, kind="tickets")
    out = tmp_path / "q.csv"
    assert export_quarantine(workspace, out) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["reasons"] == "csat: 9 is outside 1–5"
    row["csat"] = "4"
    write_csv(out, list(row), [list(row.values())])
    result = ingest_file(workspace, out, kind="tickets")
    assert (result.accepted, result.quarantined) == (1, 0)
    assert list_quarantine(workspace) == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
