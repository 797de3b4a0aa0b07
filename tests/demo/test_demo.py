"""The demo workspace: complete, deterministic by seed, its planted effects in its data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import touchpoints as tp
from touchpoints.cli.app import app
from touchpoints.demo import build_demo
from touchpoints.errors import WorkspaceError
from touchpoints.ingest import list_quarantine
from touchpoints.services.workspace import Workspace, init_workspace

CUSTOMERS = 600


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ws"
    build_demo(root, customers=CUSTOMERS, seed=7)
    return root


def _query(root: Path, sql: str) -> list[tuple[object, ...]]:
    with Workspace.open(root).warehouse() as warehouse:
        rows: list[tuple[object, ...]] = warehouse.con.execute(sql).fetchall()
    return rows


def test_every_kind_is_loaded(demo: Path) -> None:
    counts = dict(
        _query(
            demo,
            "SELECT 'responses', count(*) FROM responses UNION ALL "
            "SELECT 'interactions', count(*) FROM interactions UNION ALL "
            "SELECT 'tickets', count(*) FROM tickets UNION ALL "
            "SELECT 'reviews', count(*) FROM reviews UNION ALL "
            "SELECT 'orders', count(*) FROM orders UNION ALL "
            "SELECT 'customers', count(*) FROM customers UNION ALL "
            "SELECT 'channel_costs', count(*) FROM channel_costs",
        )
    )
    assert counts["customers"] == CUSTOMERS
    assert 4 * CUSTOMERS < counts["responses"] < 6 * CUSTOMERS  # ~5 surveys each
    assert all(n > 0 for n in counts.values())
    items = {
        i for (i,) in _query(demo, "SELECT DISTINCT split_part(item, '.', 1) FROM response_items")
    }
    assert items == {"attr", "kano", "servqual", "sem"}


def test_planted_json_names_every_effect(demo: Path) -> None:
    planted = json.loads((demo / "planted.json").read_text(encoding="utf-8"))
    kinds = {e["kind"] for e in planted["effects"]}
    assert kinds >= {
        "region_effect",
        "improvement",
        "placebo",
        "emerging_theme",
        "inconsistent_channel",
        "churn",
        "ab_test",
        "brand_benchmark",
    }
    assert set(planted["kano"].values()) == {"A", "O", "M", "I"}
    assert abs(sum(planted["drivers"]["weights"].values()) - 1) < 1e-9
    assert planted["servqual"]["largest_gap"] == "responsiveness"
    assert len(planted["sem"]["paths"]) == 12
    assert planted["seed"] == 7


def test_planted_quarantine_rows_are_refused_with_their_reasons(demo: Path) -> None:
    planted = json.loads((demo / "planted.json").read_text(encoding="utf-8"))["quarantine"]
    refused = {e["key"]: e["reasons"] for e in list_quarantine(Workspace.open(demo))}
    assert refused == {key: [reason] for key, reason in planted["rows"].items()}


def test_checkout_wait_shows_in_its_region(demo: Path) -> None:
    planted = json.loads((demo / "planted.json").read_text(encoding="utf-8"))
    wait = next(e for e in planted["effects"] if e["id"] == "store_checkout_wait")
    where = wait["where"]
    ((inside, outside),) = _query(
        demo,
        "SELECT avg(csat) FILTER (region = '{r}'), avg(csat) FILTER (region <> '{r}') "
        "FROM responses WHERE touchpoint = '{t}'".format(r=where["region"], t=where["touchpoint"]),
    )
    assert float(outside) - float(inside) > 0.8  # planted: 1.3 on the latent scale


def test_identifiers_of_one_customer_are_linked(demo: Path) -> None:
    """Surveys recorded phone numbers and e-mails; the CRM file links them to members."""
    ((responses, customers),) = _query(
        demo,
        "SELECT count(DISTINCT r.customer), count(DISTINCT i.customer_key) FROM responses r "
        "JOIN identities i ON i.pseudonym = r.customer WHERE r.touchpoint IS NOT NULL",
    )
    assert customers <= CUSTOMERS < responses  # several identifiers per customer


def test_same_seed_same_workspace(tmp_path: Path) -> None:
    def fingerprint(root: Path) -> list[tuple[object, ...]]:
        return _query(
            root,
            "SELECT count(*), sum(hash(response_id, customer, ts, csat, comment)) FROM responses",
        )

    build_demo(tmp_path / "a", customers=150, seed=3)
    build_demo(tmp_path / "b", customers=150, seed=3)
    build_demo(tmp_path / "c", customers=150, seed=4)
    assert fingerprint(tmp_path / "a") == fingerprint(tmp_path / "b")
    assert fingerprint(tmp_path / "a") != fingerprint(tmp_path / "c")


def test_non_empty_folder_needs_force(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    build_demo(root, customers=50, seed=1)
    with pytest.raises(WorkspaceError, match="is not empty"):
        build_demo(root, customers=50, seed=1)
    build_demo(root, customers=60, seed=1, force=True)
    assert _query(root, "SELECT count(*) FROM customers") == [(60,)]
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="files a demo did not write"):
        build_demo(root, customers=50, seed=1, force=True)


def _key_and_rows(root: Path) -> tuple[bytes, list[tuple[object, ...]]]:
    return (root / "touchpoints.key").read_bytes(), _query(root, "SELECT * FROM responses")


def test_force_refuses_a_workspace_of_the_user_s_own(tmp_path: Path) -> None:
    """Issue 15: `demo --force` replaced a workspace made by `init` (its warehouse, its key
    and so every later pseudonym, its model), exit 0. It must refuse and remove nothing."""
    root = tmp_path / "mine"
    init_workspace(root)
    examples = Path(__file__).resolve().parents[2] / "examples"
    tp.open(root).ingest(examples / "responses.csv", kind="responses")
    before = _key_and_rows(root)
    model = (root / "touchpoints.yaml").read_text(encoding="utf-8")
    with pytest.raises(
        WorkspaceError, match=r"is a workspace, not a demo: it has no planted\.json"
    ):
        build_demo(root, customers=50, seed=1, force=True)
    assert _key_and_rows(root) == before
    assert (root / "touchpoints.yaml").read_text(encoding="utf-8") == model
    said = CliRunner().invoke(
        app, ["demo", str(root), "--force", "--customers", "50", "--no-serve"]
    )
    assert said.exit_code == 1
    assert "--force only rebuilds a demo, and nothing was removed" in said.stderr
    assert _key_and_rows(root) == before


def test_force_refuses_a_demo_holding_the_user_s_data(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    build_demo(root, customers=50, seed=1)
    examples = Path(__file__).resolve().parents[2] / "examples"
    tp.open(root).ingest(examples / "responses.csv", kind="responses")
    with pytest.raises(
        WorkspaceError, match=r"data from files the demo did not write \(responses\.csv\)"
    ):
        build_demo(root, customers=50, seed=1, force=True)
    (root / "touchpoints.key").write_text("00" * 32 + "\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="pseudonym key is not a demo's"):
        build_demo(root, customers=50, seed=1, force=True)


def test_demo_command_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", str(tmp_path / "ws"), "--customers", "80", "--no-serve", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["kinds"]["customers"]["accepted"] == 80
    assert Path(summary["planted"]).is_file()


def test_status_covers_every_kind(demo: Path) -> None:
    from touchpoints.services.status import status_report

    report = status_report(Workspace.open(demo)).to_dict()
    assert set(report["kinds"]) == {
        "responses",
        "interactions",
        "tickets",
        "reviews",
        "orders",
        "customers",
        "channel_costs",
    }
    assert report["kinds"]["channel_costs"] == {
        "rows": 60,
        "from": "2025-01-01",
        "to": "2025-12-01",
    }
    # Answers are given from 08:00 local time (UTC+8) on 2025-01-01: stored in UTC.
    assert report["kinds"]["responses"]["from"].startswith("2025-01-01T")
    assert report["quarantine"]["rows"] == 3
