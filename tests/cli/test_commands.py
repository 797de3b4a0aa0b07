"""The command line: exit codes, one-line errors, and the pinned JSON shapes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, write_csv
from touchpoints.cli.app import app

runner = CliRunner()
HEADER = ["response_id", "ts", "touchpoint", "nps", "comment"]
ROWS = [
    ["R1", "2025-05-04 09:30", "store_checkout", "3", "排队太久"],
    ["R2", "2025-05-06 10:00", "web_checkout", "10", "great"],
    ["R3", "2025-05-06 11:00", "app_delivery", "11", "late"],
]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    shutil.copy(FIXTURES / "touchpoints.yaml", root / "touchpoints.yaml")
    return root


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_init_writes_a_valid_commented_model(tmp_path: Path) -> None:
    root = tmp_path / "new"
    code, _ = _run("init", str(root))
    assert code == 0
    text = (root / "touchpoints.yaml").read_text(encoding="utf-8")
    assert text.startswith("# touchpoints.yaml")
    assert (root / "touchpoints.key").exists()
    assert (root / "touchpoints.duckdb").exists()
    code, out = _run("check", "--workspace", str(root), "--format", "json")
    assert code == 0
    assert json.loads(out)["valid"] is True
    assert _run("init", str(root))[0] == 1  # an existing workspace is not overwritten


def test_check_reports_each_problem_with_its_path(ws: Path) -> None:
    model = ws / "touchpoints.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace("channel: store, stage", "channel: sotre, stage"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", "-w", str(ws)])
    assert result.exit_code == 1
    assert "touchpoints[1].channel: unknown channel 'sotre'" in result.stderr
    assert "Traceback" not in result.output
    code, out = _run("check", "-w", str(ws), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["problems"] == ["touchpoints[1].channel: unknown channel 'sotre'"]
    assert "error" in payload


def test_ingest_json_keys(ws: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS)
    code, out = _run("ingest", str(path), "--kind", "responses", "-w", str(ws), "--format", "json")
    assert code == 0
    result = json.loads(out)
    expected = {"read": 3, "accepted": 2, "quarantined": 1, "duplicates": 0}
    assert {k: result[k] for k in expected} == expected
    assert (result["kind"], result["file"]) == ("responses", str(path))


def test_ingest_user_errors_exit_1_with_json_error(ws: Path, tmp_path: Path) -> None:
    code, out = _run(
        "ingest",
        str(tmp_path / "missing.csv"),
        "-k",
        "responses",
        "-w",
        str(ws),
        "--format",
        "json",
    )
    assert code == 1
    assert "no such file" in json.loads(out)["error"]
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "missing.csv"), "-k", "responses", "-w", str(ws)]
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1  # one clear line
    code, _ = _run("status", "-w", str(tmp_path / "nowhere"))
    assert code == 1


def test_usage_errors_exit_2(ws: Path) -> None:
    """Unknown options and bad option values are Click's usage errors, in a real process."""
    for args in (["status", "--bogus"], ["status", "--format", "xml"]):
        done = subprocess.run(
            [sys.executable, "-m", "touchpoints", *args, "-w", str(ws)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2, done.stderr


def test_status_json_shape(ws: Path, tmp_path: Path) -> None:
    _run(
        "ingest", str(write_csv(tmp_path / "a.csv", HEADER, ROWS)), "-k", "responses", "-w", str(ws)
    )
    code, out = _run("status", "-w", str(ws), "--format", "json")
    assert code == 0
    status = json.loads(out)
    assert status["kinds"]["responses"] == {
        "rows": 2,
        "from": "2025-05-04T01:30:00+00:00",
        "to": "2025-05-06T02:00:00+00:00",
    }
    assert status["quarantine"]["rows"] == 1


def test_quarantine_list_and_export(ws: Path, tmp_path: Path) -> None:
    _run(
        "ingest", str(write_csv(tmp_path / "a.csv", HEADER, ROWS)), "-k", "responses", "-w", str(ws)
    )
    code, out = _run("quarantine", "list", "-w", str(ws), "--format", "json")
    assert code == 0
    (entry,) = json.loads(out)
    assert entry["reasons"] == ["nps: 11 is outside 0–10"]
    assert entry["row"] == 4
    code, out = _run("quarantine", "list", "-w", str(ws), "--format", "csv")
    assert out.splitlines()[0].startswith("kind,key,file,row,reasons")
    target = tmp_path / "fix.csv"
    assert _run("quarantine", "export", "--out", str(target), "-w", str(ws))[0] == 0
    header = ",".join([*HEADER, "_quarantine_key", "reasons"])
    assert target.read_text(encoding="utf-8-sig").splitlines()[0] == header
