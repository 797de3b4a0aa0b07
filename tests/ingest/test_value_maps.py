"""A mapping's value maps (``values:``, ``recode:``), joined as a table (issue 15: a map of
300k codes compiled to one SQL CASE took 213 s and 5.2 GB). The semantics are the CASE's:
the cleaned value, matched exactly; a value mapped to nothing is missing; others pass."""

from __future__ import annotations

from pathlib import Path

from conftest import query, reasons, write_csv
from touchpoints.ingest import ingest_file
from touchpoints.services.workspace import Workspace


def test_value_maps_match_exactly_after_trimming(workspace: Workspace, tmp_path: Path) -> None:
    """`Satisfied` with spaces around is trimmed, then mapped (4); `satisfied` differs in case
    and passes unmapped (refused: no number); `N/A` maps to nothing: missing; `3` passes."""
    rows = [
        ["R1", "2025-05-04", "9", "Very satisfied"],
        ["R2", "2025-05-04", "9", " Satisfied "],
        ["R3", "2025-05-04", "9", "satisfied"],
        ["R4", "2025-05-04", "9", "N/A"],
        ["R5", "2025-05-04", "9", "3"],
    ]
    data = write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps", "csat"], rows)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: responses\nvalues: {csat: {Very satisfied: 5, Satisfied: 4, N/A: null}}\n",
        encoding="utf-8",
    )
    result = ingest_file(workspace, data, mapping_path=mapping)
    assert (result.accepted, result.quarantined) == (4, 1)
    stored = query(workspace, "SELECT response_id, csat FROM responses ORDER BY 1")
    assert stored == [("R1", 5), ("R2", 4), ("R4", None), ("R5", 3)]
    assert reasons(workspace) == {"R3": ["csat: 'satisfied' is not a number"]}


def test_a_columns_values_win_over_a_recode_glob(workspace: Workspace, tmp_path: Path) -> None:
    """`recode` maps every kano.* column; `values` of one column overrides it for that column:
    kano.pay.f `A` is 5 (its own map), kano.pay.d `A` is 1 (the glob's)."""
    rows = [["K1", "2025-05-04", "A", "A"]]
    data = write_csv(tmp_path / "k.csv", ["response_id", "ts", "f", "d"], rows)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: responses\n"
        "columns: {response_id: response_id, ts: ts, kano.pay.f: f, kano.pay.d: d}\n"
        "recode: {kano.*: {A: 1}}\n"
        "values: {kano.pay.f: {A: 5}}\n",
        encoding="utf-8",
    )
    assert ingest_file(workspace, data, mapping_path=mapping).accepted == 1
    items = query(workspace, "SELECT item, value FROM response_items ORDER BY 1")
    assert items == [("kano.pay.d", 1.0), ("kano.pay.f", 5.0)]


def test_a_mapped_id_is_folded(workspace: Workspace, tmp_path: Path) -> None:
    """A record id recoded to full-width `ＡＢＣ-１` is folded after the map, as any id: ABC-1."""
    data = write_csv(
        tmp_path / "r.csv", ["response_id", "ts", "nps"], [["legacy", "2025-05-04", "9"]]
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: responses\nvalues: {response_id: {legacy: ＡＢＣ-１}}\n", "utf-8")
    assert ingest_file(workspace, data, mapping_path=mapping).accepted == 1
    assert query(workspace, "SELECT response_id FROM responses") == [("ABC-1",)]


def test_a_map_of_many_codes_reads_each_row(workspace: Workspace, tmp_path: Path) -> None:
    """5,000 store codes S0…S4999 to touchpoints: the first and the last are found."""
    codes = "".join(
        f"    S{i}: {'store_checkout' if i % 2 == 0 else 'web_checkout'}\n" for i in range(5000)
    )
    rows = [["R1", "2025-05-04", "9", "S0"], ["R2", "2025-05-04", "9", "S4999"]]
    data = write_csv(tmp_path / "r.csv", ["response_id", "ts", "nps", "touchpoint"], rows)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"kind: responses\nvalues:\n  touchpoint:\n{codes}", encoding="utf-8")
    assert ingest_file(workspace, data, mapping_path=mapping).accepted == 2
    stored = query(workspace, "SELECT response_id, touchpoint FROM responses ORDER BY 1")
    assert stored == [("R1", "store_checkout"), ("R2", "web_checkout")]
