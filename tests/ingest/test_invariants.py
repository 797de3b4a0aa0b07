"""Properties that hold for any input, checked on generated messy files (hypothesis)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, KEY, ingest, query, write_csv
from touchpoints.ingest import ingest_file
from touchpoints.services.workspace import Workspace, init_workspace

HEADER = ["response_id", "ts", "customer", "channel", "touchpoint", "nps", "csat", "comment"]

messy_text = st.one_of(
    st.text(alphabet=list("abc 排队太慢,\"'\n\t;1380013800@."), max_size=20),
    st.just("(跳过)"),
)
rows = st.lists(
    st.tuples(
        st.sampled_from(["R1", "R2", "R3", "R4", "", " R1 "]),
        st.sampled_from(["2025-05-04 10:00", "2025/5/4", "2025-13-01", "", "5/4/25 9:00"]),
        st.sampled_from(["", "13800138000", "ann@example.com", "cx_0000000000000000", "m-1"]),
        st.sampled_from(["", "store", "web", "门店", "sotre"]),
        st.sampled_from(["", "store_checkout", "web_checkout", "收银台", "x"]),
        st.sampled_from(["", "0", "9", "10", "11", "7.5", "nine", "10 - likely"]),
        st.sampled_from(["", "1", "5", "6", "3分"]),
        messy_text,
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=rows, second=rows)
def test_every_row_ends_in_exactly_one_place(
    first: list[tuple[str, ...]], second: list[tuple[str, ...]]
) -> None:
    """read = accepted + quarantined + duplicates, for each file and again on re-ingest;
    the warehouse holds exactly the accepted rows, each id once."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        init_workspace(root, key=KEY)
        shutil.copy(FIXTURES / "touchpoints.yaml", root / "touchpoints.yaml")
        workspace = Workspace.open(root)
        accepted = 0
        for number, data in enumerate((first, second, first)):
            path = write_csv(Path(tmp) / f"f{number}.csv", HEADER, data)
            result = ingest(workspace, path)
            assert result.read == len(data)
            assert result.accepted + result.quarantined + result.duplicates == result.read
            accepted += result.accepted
        ((stored, distinct),) = query(
            workspace, "SELECT count(*), count(DISTINCT response_id) FROM responses"
        )
        assert stored == distinct == accepted
        assert result.accepted == 0  # the third file is the first again: nothing new


tickets = st.lists(
    st.tuples(
        st.sampled_from(["T1", "T2", "T3", ""]),
        st.sampled_from(["2025-05-04 09:00", "2025-05-04 10:00", "bad"]),
        st.sampled_from(["open", "pending", "resolved"]),
        st.sampled_from(["", "low", "urgent", "whenever"]),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=tickets, second=tickets)
def test_states_end_as_the_last_row_and_reingest_changes_nothing(
    first: list[tuple[str, ...]], second: list[tuple[str, ...]]
) -> None:
    """For a state kind: the invariant holds, one record per key is stored — the last valid
    row of the last file that named it — and ingesting a file again changes nothing."""
    header = ["ticket_id", "created_at", "status", "priority"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        init_workspace(root, key=KEY)
        shutil.copy(FIXTURES / "touchpoints.yaml", root / "touchpoints.yaml")
        workspace = Workspace.open(root)
        for number, data in enumerate((first, second)):
            path = write_csv(Path(tmp) / f"t{number}.csv", header, data)
            result = ingest_file(workspace, path, kind="tickets")
            assert result.accepted + result.quarantined + result.duplicates == result.read
            assert result.updated <= result.accepted
            again = ingest_file(workspace, path, kind="tickets")
            assert (again.accepted, again.updated) == (0, 0)
            assert again.duplicates + again.quarantined == again.read
        stored = dict(query(workspace, "SELECT ticket_id, status FROM tickets"))
        assert len(stored) == len(query(workspace, "SELECT DISTINCT ticket_id FROM tickets"))
        valid = [r for r in (*first, *second) if r[0] and r[1] != "bad" and r[3] != "whenever"]
        expected = {r[0]: r[2] for r in valid}  # the last valid row per id wins
        assert stored == expected
