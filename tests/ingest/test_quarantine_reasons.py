"""Every reason a row can be refused for, each with its exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ingest, query, reasons, write_csv
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "customer", "channel", "touchpoint", "nps", "csat", "ces", "comment"]
GOOD = ["R1", "2025-05-04 09:30", "m-1", "store", "store_checkout", "7", "4", "5", "ok"]


def _row(**changes: str) -> list[str]:
    row = dict(zip(HEADER, GOOD, strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


CASES = [
    ({"response_id": ""}, "row_", "response_id: missing"),
    ({"ts": ""}, "R1", "ts: missing"),
    ({"ts": "2025-13-01"}, "R1", "ts: cannot parse '2025-13-01'"),
    ({"ts": "yesterday"}, "R1", "ts: cannot parse 'yesterday'"),
    ({"ts": "1900-01-01"}, "R1", "ts: '1900-01-01' is out of range (1970–2100)"),
    ({"nps": "11"}, "R1", "nps: 11 is outside 0–10"),
    ({"nps": "-1"}, "R1", "nps: -1 is outside 0–10"),
    ({"nps": "7.5"}, "R1", "nps: 7.5 is not a whole number"),
    ({"nps": "seven"}, "R1", "nps: 'seven' is not a number"),
    ({"csat": "6"}, "R1", "csat: 6 is outside 1–5"),
    ({"csat": "0"}, "R1", "csat: 0 is outside 1–5"),
    ({"ces": "8"}, "R1", "ces: 8 is outside 1–7"),
    ({"channel": "sotre"}, "R1", "channel: unknown 'sotre'"),
    ({"touchpoint": "chekout"}, "R1", "touchpoint: unknown 'chekout'"),
    (
        {"channel": "web"},
        "R1",
        "channel: 'web' contradicts touchpoint 'store_checkout' (on channel 'store')",
    ),
    (
        {"customer": "cx_0123456789abcdef"},
        "R1",
        "customer: 'cx_0123456789abcdef' is a pseudonym this workspace did not issue",
    ),
    (
        {"nps": "", "csat": "", "ces": "", "comment": ""},
        "R1",
        "response: no answer (a score, an item or a comment is needed)",
    ),
]


@pytest.mark.parametrize(("change", "key", "reason"), CASES)
def test_each_reason(
    workspace: Workspace, tmp_path: Path, change: dict[str, str], key: str, reason: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", HEADER, [_row(**change)])
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (1, 0, 1)
    ((stored_key, stored_reasons),) = reasons(workspace).items()
    assert stored_key.startswith(key)
    assert stored_reasons == [reason]
    assert query(workspace, "SELECT count(*) FROM responses") == [(0,)]


def test_all_reasons_of_a_row_are_kept(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", HEADER, [_row(nps="12", csat="9", touchpoint="x")])
    ingest(workspace, path)
    assert reasons(workspace)["R1"] == [
        "touchpoint: unknown 'x'",
        "nps: 12 is outside 0–10",
        "csat: 9 is outside 1–5",
    ]


def test_quarantine_keeps_row_and_file_position(workspace: Workspace, tmp_path: Path) -> None:
    rows = [_row(), _row(response_id="R2", nps="99")]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    ingest(workspace, path)
    ((file, row, data),) = query(workspace, 'SELECT file, "row", data FROM quarantine')
    assert (file, row) == (str(path), 3)  # the header is row 1
    assert json.loads(data)["nps"] == "99"


def test_different_content_for_a_stored_id(workspace: Workspace, tmp_path: Path) -> None:
    ingest(workspace, write_csv(tmp_path / "a.csv", HEADER, [_row()]))
    result = ingest(workspace, write_csv(tmp_path / "b.csv", HEADER, [_row(nps="2")]))
    assert (result.accepted, result.quarantined, result.duplicates) == (0, 1, 0)
    assert reasons(workspace) == {"R1": ["response_id: R1 already stored with different content"]}
    assert query(workspace, "SELECT nps FROM responses") == [(7,)]  # events never change


def test_different_content_for_an_id_earlier_in_the_file(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", HEADER, [_row(), _row(nps="2"), _row()])
    result = ingest(workspace, path)
    assert (result.accepted, result.quarantined, result.duplicates) == (1, 1, 1)
    assert reasons(workspace) == {
        "R1": ["response_id: R1 appears earlier in this file (row 2) with different content"]
    }


def test_csv_row_with_wrong_number_of_fields(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    good = ",".join(GOOD)
    path.write_text(f"{','.join(HEADER)}\n{good}\nR2,2025-05-04,x\n", encoding="utf-8")
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (2, 1, 1)
    ((row, stored_reasons, data),) = query(workspace, 'SELECT "row", reasons, data FROM quarantine')
    assert row == 3
    assert stored_reasons == ["row: expected 9 fields, found 3"]
    assert json.loads(data) == {}  # unsplit, so nothing of it is kept: it may hold PII


def test_jsonl_line_that_is_not_json(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    good = json.dumps(dict(zip(HEADER, GOOD, strict=True)))
    path.write_text(f"{good}\n{{not json\n[1, 2]\n", encoding="utf-8")
    result = ingest(workspace, path)
    assert (result.read, result.accepted, result.quarantined) == (3, 1, 2)
    rows = query(workspace, 'SELECT "row", reasons[1] FROM quarantine ORDER BY "row"')
    assert rows[0][0] == 2
    assert rows[0][1].startswith("row: not valid JSON")
    assert rows[1] == (3, "row: expected an object of named fields")


@pytest.mark.parametrize(
    ("item", "value", "reason"),
    [
        ("kano.price.f", "6", "kano.price.f: 6 is outside 1–5"),
        ("kano.price.d", "2.5", "kano.price.d: 2.5 is not a whole number"),
        ("servqual.3.e", "8", "servqual.3.e: 8 is outside 1–7"),
        ("servqual.weight.empathy", "120", "servqual.weight.empathy: 120 is outside 0–100"),
        ("attr.wait_time", "slow", "attr.wait_time: 'slow' is not a number"),
        ("sem.image.1", "n/a", "sem.image.1: 'n/a' is not a number"),
    ],
)
def test_item_reasons(
    workspace: Workspace, tmp_path: Path, item: str, value: str, reason: str
) -> None:
    path = write_csv(tmp_path / "items.csv", [*HEADER, item], [[*GOOD, value]])
    ingest(workspace, path)
    assert reasons(workspace) == {"R1": [reason]}


def test_scales_come_from_the_model(workspace: Workspace, tmp_path: Path) -> None:
    model = workspace.root / "touchpoints.yaml"
    text = model.read_text(encoding="utf-8").replace("csat: [1, 5]", "csat: [1, 10]")
    model.write_text(text, encoding="utf-8")
    reopened = Workspace.open(workspace.root)
    path = write_csv(
        tmp_path / "a.csv", HEADER, [_row(csat="9"), _row(response_id="R2", csat="11")]
    )
    result = ingest(reopened, path)
    assert (result.accepted, result.quarantined) == (1, 1)
    assert reasons(reopened) == {"R2": ["csat: 11 is outside 1–10"]}


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("1_0", None),  # read as 1 before
        ("3/5", None),  # read as 3
        ("7分钟", None),  # seven minutes, read as a score of 7
        ("1e3", None),
        ("９", 9),  # full-width, refused before
        ("3分", 3),  # 问卷星's points
        ("10 - Extremely likely", 10),
        ("5 (Very satisfied)", 5),
        ("8", 8),
    ],
)
def test_a_score_is_read_as_a_person_means_it(
    workspace: Workspace, tmp_path: Path, answer: str, stored: int | None
) -> None:
    """Issue 15: a leading number was taken whatever followed it."""
    path = write_csv(
        tmp_path / "s.csv", ["response_id", "ts", "nps"], [["R1", "2025-05-04", answer]]
    )
    ingest(workspace, path)
    found = query(workspace, "SELECT nps FROM responses")
    if stored is None:
        assert found == []
        assert reasons(workspace) == {"R1": [f"nps: '{answer}' is not a number"]}
    else:
        assert found == [(stored,)]
