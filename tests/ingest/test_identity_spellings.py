"""One person, one pseudonym, however the identifier was typed (issue 15, "Identity splits").

Full-width digits from a Chinese input method, a decomposed accent, full-width letters and a
trailing zero-width space each made a second customer; they are folded before hashing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from conftest import ingest, query, write_csv
from touchpoints.services.workspace import Workspace

SPELLINGS = [
    ("１３８００１３８０００", "13800138000"),
    ("José-1", "Jose\u0301-1"),
    ("ＡＢＣ-１", "ABC-1"),
    ("ann@example.com\u200b", "Ann@Example.com"),
    ("ann＠example.com", "ann@example.com"),
]


@pytest.mark.parametrize(("one", "other"), SPELLINGS)
def test_two_spellings_of_one_identifier_are_one_customer(
    workspace: Workspace, tmp_path: Path, one: str, other: str
) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        ["response_id", "ts", "touchpoint", "nps", "customer"],
        [
            ["R1", "2025-05-04 09:30", "store_checkout", "9", one],
            ["R2", "2025-05-04 09:31", "store_checkout", "7", other],
        ],
    )
    assert ingest(workspace, path).accepted == 2
    customers = query(workspace, "SELECT DISTINCT customer FROM responses")
    assert len(customers) == 1
    assert customers[0][0].startswith("cx_")


@pytest.mark.parametrize(("one", "other"), [("José-1", "Jose\u0301-1"), ("ＲＥＳ-１", "RES-1")])
def test_two_spellings_of_one_record_id_are_one_record(
    workspace: Workspace, tmp_path: Path, one: str, other: str
) -> None:
    """The same answer under an NFC and an NFD id (or full-width) is a duplicate, not two."""
    path = write_csv(
        tmp_path / "r.csv",
        ["response_id", "ts", "touchpoint", "nps"],
        [
            [one, "2025-05-04 09:30", "store_checkout", "9"],
            [other, "2025-05-04 09:30", "store_checkout", "9"],
        ],
    )
    result = ingest(workspace, path)
    assert (result.accepted, result.duplicates) == (1, 1)
    (stored,) = query(workspace, "SELECT response_id FROM responses")
    assert stored[0] == unicodedata.normalize("NFKC", one)  # composed, ASCII where it can be
