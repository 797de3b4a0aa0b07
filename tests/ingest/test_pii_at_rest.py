"""No raw identifier or PII in free text is stored anywhere in the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ingest, query, write_csv
from touchpoints.core.privacy import normalise_identifier, pseudonymise
from touchpoints.ingest import ingest_file
from touchpoints.services.workspace import Workspace

SECRETS = [
    "13800138000",
    "139 0013 9000",
    "ann@example.com",
    "11010519491231002X",
    "4111 1111 1111 1111",
    "192.168.10.20",
]
HEADER = ["response_id", "ts", "customer", "nps", "comment"]
ROWS = [
    ["R1", "2025-05-04", "13800138000", "9", "请回电 139 0013 9000"],
    ["R2", "2025-05-04", "Ann@Example.com", "3", "mail me: ann@example.com"],
    ["R3", "2025-05-04", "m-3", "5", "身份证11010519491231002X，卡号4111 1111 1111 1111"],
    ["R4", "bad date", "139-0013-9000", "5", "from 192.168.10.20"],
    ["R5", "2025-05-04", "m-5", "phone 13800138000", ""],  # PII in a score column
]


def _everything_stored(workspace: Workspace) -> str:
    tables = [t for (t,) in query(workspace, "SELECT table_name FROM information_schema.tables")]
    return "\n".join(str(query(workspace, f'SELECT * FROM "{t}"')) for t in tables)


def test_nothing_raw_is_stored(workspace: Workspace, tmp_path: Path) -> None:
    result = ingest(workspace, write_csv(tmp_path / "pii.csv", HEADER, ROWS))
    assert (result.accepted, result.quarantined) == (3, 2)
    stored = _everything_stored(workspace)
    for secret in SECRETS:
        assert secret not in stored
        assert secret.replace(" ", "") not in stored
    assert "ann@example" not in stored.lower()


def test_one_person_one_pseudonym_across_spellings(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        ["a", "2025-05-04", "13800138000", "9", ""],
        ["b", "2025-05-04", "+86 138-0013-8000", "9", ""],
        ["c", "2025-05-04", " 138 0013 8000 ", "9", ""],
    ]
    ingest(workspace, write_csv(tmp_path / "p.csv", HEADER, rows))
    expected = pseudonymise(workspace.key, normalise_identifier("13800138000") or "")
    assert query(workspace, "SELECT DISTINCT customer FROM responses") == [(expected,)]
    assert query(workspace, "SELECT pseudonym FROM identities") == [(expected,)]


def test_masked_comments_keep_the_rest(workspace: Workspace, tmp_path: Path) -> None:
    ingest(workspace, write_csv(tmp_path / "pii.csv", HEADER, ROWS[:3]))
    comments = dict(query(workspace, "SELECT response_id, comment FROM responses"))
    assert comments == {
        "R1": "请回电 [phone]",
        "R2": "mail me: [email]",
        "R3": "身份证[id]，卡号[card]",
    }


def test_the_key_stays_outside_the_warehouse(workspace: Workspace) -> None:
    assert workspace.key.hex() not in _everything_stored(workspace)
    assert (workspace.root / "touchpoints.key").stat().st_mode & 0o077 == 0


# (kind, header, row): every label and platform column of every kind, each holding a phone
# number in one row; the other columns are valid, so the label is the only reason.
LABELS = [
    (
        "responses",
        ["response_id", "ts", "nps", "{label}"],
        ["L1", "2025-05-04", "9", "{pii}"],
        ("segment", "region", "variant"),
    ),
    (
        "interactions",
        ["event_id", "ts", "touchpoint", "{label}"],
        ["E1", "2025-05-04", "web_checkout", "{pii}"],
        ("session", "event"),
    ),
    (
        "tickets",
        ["ticket_id", "created_at", "{label}"],
        ["T1", "2025-05-04", "{pii}"],
        ("category", "status", "team"),
    ),
    (
        "reviews",
        ["review_id", "ts", "rating", "text", "{label}"],
        ["V1", "2025-05-04", "4", "ok", "{pii}"],
        ("platform",),
    ),
    ("customers", ["customer", "{label}"], ["m-1", "{pii}"], ("segment", "region")),
]
CASES = [(kind, h, r, label) for kind, h, r, labels in LABELS for label in labels]


@pytest.mark.parametrize(
    ("kind", "header", "row", "label"), CASES, ids=[f"{c[0]}.{c[3]}" for c in CASES]
)
def test_a_label_holding_personal_data_is_refused_and_never_stored(
    workspace: Workspace, tmp_path: Path, kind: str, header: list[str], row: list[str], label: str
) -> None:
    """Issue 15: phone numbers in labels (segment, region, ticket team …) were stored verbatim.
    A label is a value people are grouped by, so it is refused with its reason rather than
    stored masked; the quarantine keeps it masked."""
    pii = "张三 13800138000"
    path = write_csv(
        tmp_path / f"{kind}.csv",
        [h.format(label=label) for h in header],
        [[v.format(pii=pii) for v in row]],
    )
    result = ingest_file(workspace, path, kind=kind)
    assert (result.accepted, result.quarantined) == (0, 1)
    assert [r for (r,) in query(workspace, "SELECT reasons FROM quarantine")] == [
        [f"{label}: holds personal data ([phone]), refused"]
    ]
    stored = _everything_stored(workspace)
    assert "13800138000" not in stored
    assert "张三 [phone]" in stored  # what the quarantine keeps


def test_a_free_item_answer_is_stored_masked(workspace: Workspace, tmp_path: Path) -> None:
    """Issue 15: a text answer to a free item (``item.*``) was stored verbatim. It is an answer
    in the customer's words, like a comment, so it is stored masked rather than refused."""
    header = ["response_id", "ts", "nps", "item.note", "item.ok"]
    rows = [["I1", "2025-05-04", "9", "请回电 13800138000", "fine"]]
    result = ingest(workspace, write_csv(tmp_path / "items.csv", header, rows))
    assert (result.accepted, result.quarantined) == (1, 0)
    assert query(workspace, "SELECT item, text FROM response_items ORDER BY item") == [
        ("item.note", "请回电 [phone]"),
        ("item.ok", "fine"),
    ]
    assert "13800138000" not in _everything_stored(workspace)
