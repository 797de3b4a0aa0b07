"""Inputs that used to end in a traceback (issue 15) now end in one clear line, exit 1, and
``{"error": …}`` under ``--format json``. Each case builds its file by hand, small."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from touchpoints.cli.app import app
from touchpoints.services.workspace import init_workspace

runner = CliRunner()
MAP = "kind: responses\n{extra}columns: {{response_id: response_id, ts: ts, comment: comment}}\n"


def _gbk_csv(folder: Path) -> Path:
    path = folder / "gbk.csv"
    path.write_bytes("response_id,ts,comment\nR1,2025-01-01,排队太久了\n".encode("gbk"))
    return path


def _declared(encoding: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        mapping = folder / "m.yaml"
        mapping.write_text(MAP.format(extra=f"encoding: {encoding}\n"), encoding="utf-8")
        return ["ingest", str(_gbk_csv(folder)), "--map", str(mapping)]

    return make


def _deep_json(folder: Path) -> list[str]:
    path = folder / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    return ["ingest", str(path), "--kind", "responses"]


def _bad_parquet(folder: Path) -> list[str]:
    path = folder / "bad.parquet"
    table = pa.table({"response_id": pa.array([b"R\xff\xfe1"], pa.binary()), "ts": ["2025-01-01"]})
    pq.write_table(table, path)
    return ["ingest", str(path), "--kind", "responses"]


def _null_jsonl(folder: Path) -> list[str]:
    path = folder / "null.jsonl"  # crashed the whole process inside pyarrow 26
    path.write_text("null\n", encoding="utf-8")
    return ["ingest", str(path), "--kind", "responses"]


def _blank_header(folder: Path) -> list[str]:
    path = folder / "blank.csv"
    path.write_text("\n;\n1", encoding="utf-8")
    return ["ingest", str(path), "--kind", "responses"]


CASES = {
    "GBK file declared utf-8": (_declared("utf-8"), "not utf-8 text"),
    "GBK file declared utf-16": (_declared("utf-16"), "not utf-16 text"),
    "JSON nested 200,000 deep": (_deep_json, "nested too deeply"),
    "Parquet bytes that are not UTF-8": (_bad_parquet, "column 'response_id' is not text"),
    "JSON lines opening with null": (_null_jsonl, None),
    "CSV whose first line is blank": (_blank_header, None),
    "init under /proc": (
        lambda f: ["init", "/proc/touchpoints-test"],
        "cannot create the workspace",
    ),
    "a hundred million resamples": (
        lambda f: ["index", "--resamples", "100000000"],
        "--resamples: takes 0 to 100,000",
    ),
    "a negative seed (found by the API's fuzz test)": (
        lambda f: ["index", "--seed", "-1"],
        "--seed: takes a whole number from 0",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_gets_one_clear_line(tmp_path: Path, case: str) -> None:
    build, said = CASES[case]
    root = tmp_path / "ws"
    init_workspace(root)
    args = build(tmp_path)
    result = runner.invoke(
        app, [*args, *(["-w", str(root)] if args[0] != "init" else []), "--format", "json"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    out = json.loads(result.stdout)
    if said is None:  # read: the bad rows are quarantined with their reasons
        assert result.exit_code in (0, 1)
        assert (
            "error" in out
            or out["read"] == out["accepted"] + out["quarantined"] + out["duplicates"]
        )
    else:
        assert result.exit_code == 1
        assert said in out["error"]
        assert "Traceback" not in result.stderr


def test_a_header_wider_than_64_kib_is_read_whole(tmp_path: Path) -> None:
    """20,000 columns: the header was cut at 64 KiB and the reader failed with IndexError.
    (Unmapped columns, dropped at the door: 20,000 stored items is a scale case of its own.)"""
    root = tmp_path / "ws"
    init_workspace(root)
    names = [f"question {i:05d}" for i in range(20_000)]
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(["response_id", "ts", "nps", *names])
        + "\n"
        + ",".join(["R1", "2025-01-01", "9"] + ["1"] * 20_000)
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["ingest", str(path), "--kind", "responses", "-w", str(root), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 1


def test_a_gbk_mapping_and_model_are_read(tmp_path: Path) -> None:
    """A mapping and a touchpoints.yaml saved in GBK by a Chinese Windows editor."""
    root = tmp_path / "ws"
    init_workspace(root)
    model = root / "touchpoints.yaml"
    model.write_bytes((model.read_text("utf-8") + "# 中文注释\n").encode("gb18030"))
    mapping = tmp_path / "m.yaml"
    text = "kind: responses\ncolumns: {response_id: 编号, ts: 时间, nps: 推荐}\n"
    mapping.write_bytes(text.encode("gbk"))
    data = tmp_path / "d.csv"
    data.write_text("编号,时间,推荐\nR1,2025-01-01,9\n", encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(data), "--map", str(mapping), "-w", str(root), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == 1


def test_an_infinite_weight_is_refused_by_check(tmp_path: Path) -> None:
    """`weight: .inf` passed `check`, and `index --format json` printed a bare NaN."""
    root = tmp_path / "ws"
    init_workspace(root)
    fixture = Path(__file__).parents[1] / "fixtures" / "touchpoints.yaml"
    text = fixture.read_text(encoding="utf-8")
    (root / "touchpoints.yaml").write_text(
        text.replace("channels:\n  - {", "channels:\n  - {weight: .inf, ", 1), encoding="utf-8"
    )
    result = runner.invoke(app, ["check", "-w", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert any(
        "channels[0].weight" in p and "finite" in p for p in json.loads(result.stdout)["problems"]
    )


def test_a_mapping_key_given_twice_is_refused(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys; a mapping must not lose the first silently."""
    root = tmp_path / "ws"
    init_workspace(root)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: responses\nkind: tickets\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "-w", str(root), "--map", str(mapping), "--format", "json"]
    )
    assert result.exit_code == 1
    assert "key 'kind' is given twice" in json.loads(result.stdout)["error"]
