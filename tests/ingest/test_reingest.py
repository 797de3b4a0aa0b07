"""Re-running is safe: the same file twice stores nothing new; fixed rows come back in."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import ingest, query, write_csv
from touchpoints.ingest import export_quarantine, list_quarantine
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "customer", "touchpoint", "nps", "comment", "attr.wait"]
ROWS = [
    ["R1", "2025-05-04 09:30", "13800138000", "store_checkout", "3", "排队太久", "2"],
    ["R2", "2025-05-04 10:00", "ann@example.com", "web_checkout", "10", "great", "5"],
    ["R3", "2025-05-04 11:00", "13900139000", "app_delivery", "11", "late, call 13900139000", ""],
    ["R4", "not a date", "m-4", "chekout", "8", "", ""],
]


def _counts(workspace: Workspace) -> tuple[int, int, int]:
    ((responses, items, quarantine),) = query(
        workspace,
        "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM response_items), "
        "(SELECT count(*) FROM quarantine)",
    )
    return responses, items, quarantine


def test_same_file_twice_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS)
    first = ingest(workspace, path)
    assert (first.read, first.accepted, first.quarantined, first.duplicates) == (4, 2, 2, 0)
    before = _counts(workspace)
    assert before == (2, 2, 2)
    second = ingest(workspace, path)
    # Bad rows are reported again but stored once: the quarantine is keyed by id.
    assert (second.read, second.accepted, second.quarantined, second.duplicates) == (4, 0, 2, 2)
    assert _counts(workspace) == before


def test_duplicate_rows_inside_one_file(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEADER, [ROWS[0], ROWS[1], ROWS[0], ROWS[0]])
    result = ingest(workspace, path)
    assert (result.accepted, result.duplicates) == (2, 2)


def test_a_fixed_row_clears_its_quarantine_entry(workspace: Workspace, tmp_path: Path) -> None:
    ingest(workspace, write_csv(tmp_path / "a.csv", HEADER, ROWS))
    fixed = [r[:] for r in ROWS[2:]]
    fixed[0][4] = "10"
    fixed[1][1], fixed[1][3] = "2025-05-05 12:00", "store_checkout"
    result = ingest(workspace, write_csv(tmp_path / "fixed.csv", HEADER, fixed))
    assert (result.accepted, result.quarantined) == (2, 0)
    assert list_quarantine(workspace) == []
    assert _counts(workspace)[0] == 4


def test_export_fix_and_ingest_again(workspace: Workspace, tmp_path: Path) -> None:
    """The export has the source columns and `reasons`; fixed, it goes back in as it is."""
    ingest(workspace, write_csv(tmp_path / "a.csv", HEADER, ROWS))
    out = tmp_path / "quarantine.csv"
    assert export_quarantine(workspace, out) == 2
    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [r["response_id"] for r in exported] == ["R3", "R4"]
    assert exported[0]["reasons"] == "nps: 11 is outside 0–10"
    # Identifiers are exported as pseudonyms and PII in text is masked: nothing raw leaves.
    assert exported[0]["customer"].startswith("cx_")
    assert exported[0]["comment"] == "late, call [phone]"
    exported[0]["nps"] = "9"
    exported[1]["ts"], exported[1]["touchpoint"] = "2025-05-05 12:00", "store_checkout"
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(exported[0]))
        writer.writeheader()
        writer.writerows(exported)
    result = ingest(workspace, out)
    assert (result.accepted, result.quarantined) == (2, 0)
    assert list_quarantine(workspace) == []
    # The pseudonym in the export was issued here, so it is kept and joins the same customer.
    customers = query(workspace, "SELECT customer FROM responses WHERE response_id = 'R3'")
    assert customers == [(exported[0]["customer"],)]


def test_items_are_stored_long(workspace: Workspace, tmp_path: Path) -> None:
    ingest(workspace, write_csv(tmp_path / "a.csv", HEADER, ROWS))
    items = query(workspace, "SELECT response_id, item, value FROM response_items ORDER BY 1")
    assert items == [("R1", "attr.wait", 2.0), ("R2", "attr.wait", 5.0)]
