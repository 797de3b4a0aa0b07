"""The library (`tp.open`): the same results the command line renders, one protocol for all,
and errors that name the parameter in domain terms."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import touchpoints as tp
from conftest import same_json
from touchpoints.cli.app import app
from touchpoints.core.result import Note, Result, TableView
from touchpoints.errors import ParameterError

GOLDEN = Path(__file__).parents[1] / "golden"


def _golden(name: str) -> Any:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


def test_library_gives_the_pinned_json_of_the_command_line(demo: Any) -> None:
    ws = tp.open(demo.root)
    assert isinstance(ws, tp.Workspace)
    by_channel = ws.metrics(by="channel", period="quarter")
    same_json(by_channel.to_dict(), _golden("metrics_by_channel_quarter"))
    same_json(
        ws.changes(period="quarter", all_changes=True).to_dict(), _golden("changes_quarter_all")
    )
    same_json(ws.index().to_dict(), _golden("index"))
    same_json(ws.benchmark().to_dict(), _golden("benchmark"))


def test_strings_and_values_ask_the_same(demo: Any) -> None:
    ws = tp.open(demo.root)
    typed = ws.metrics(by="touchpoint, region", since="2025-03-01", where=["region=华东"])
    valued = ws.metrics(
        by=["touchpoint", "region"],
        since=date(2025, 3, 1),
        where={"region": "华东"},
    )
    assert typed.to_dict() == valued.to_dict()
    assert {r.group["region"] for r in typed.rows} == {"华东"}


def _results(ws: tp.Workspace) -> dict[str, Result]:
    return {
        "check": ws.check(),
        "status": ws.status(),
        "quarantine": ws.quarantine(),
        "metrics": ws.metrics(by="channel"),
        "changes": ws.changes(by="region"),
        "index": ws.index(resamples=0),
        "index by period": ws.index(period="quarter", resamples=0),
        "items": ws.items(by="channel", resamples=0),
        "benchmark": ws.benchmark(),
    }


def test_every_result_follows_the_protocol(demo: Any) -> None:
    for name, result in _results(tp.open(demo.root)).items():
        assert isinstance(result, Result), name
        json.dumps(result.to_dict(), default=str)  # plain JSON data
        records = result.records()
        assert records, name
        assert all(not isinstance(v, dict) for row in records for v in row.values()), (
            f"{name}: records are flat"
        )
        assert len(result.to_frame()) == len(records), name
        views = result.views()
        assert views, name
        assert all(isinstance(v, TableView | Note) for v in views), name
        for view in views:
            if isinstance(view, TableView):
                assert all(len(row) == len(view.columns) for row in view.rows), name
        assert repr(result).strip(), name


def test_results_are_frozen(demo: Any) -> None:
    result = tp.open(demo.root).metrics()
    with pytest.raises(AttributeError):
        result.rows = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("call", "param", "words"),
    [
        (lambda ws: ws.metrics(by="shop"), "by", "unknown dimension 'shop'"),
        (lambda ws: ws.metrics(where=["region"]), "where", "takes NAME=VALUE"),
        (lambda ws: ws.metrics(where={"shop": "x"}), "where", "unknown dimension 'shop'"),
        (lambda ws: ws.metrics(period="fortnight"), "period", "unknown period"),
        (lambda ws: ws.metrics(since="2025-13-01"), "since", "YYYY-MM-DD"),
        (lambda ws: ws.metrics(since="2025-09-01", until="2025-06-01"), "since", "after until"),
        (lambda ws: ws.changes(), "period", "say what to compare"),
        (lambda ws: ws.index(period="week", since="x"), "since", "YYYY-MM-DD"),
        (lambda ws: ws.items(weights=["attr.nope=1"]), "weights", "not chosen"),
        (lambda ws: ws.items(weights=["attr.price=x"]), "weights", "NAME=NUMBER"),
        (lambda ws: ws.items(weights={"attr.price": -1}), "weights", "≥ 0"),
        (lambda ws: ws.items(scale="5,1"), "scale", "LOW < HIGH"),
        (lambda ws: ws.items(items="nothing.*"), "items", "no stored item"),
        (lambda ws: ws.benchmark(by="brand"), "by", "groups by brand itself"),
    ],
)
def test_errors_name_the_parameter(demo: Any, call: Any, param: str, words: str) -> None:
    with pytest.raises(ParameterError) as raised:
        call(tp.open(demo.root))
    assert raised.value.param == param
    assert words in str(raised.value)
    assert isinstance(raised.value, ValueError)  # an input error, for callers that know no more


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["metrics", "--by", "shop"], "--by: unknown dimension 'shop'"),
        (["metrics", "--since", "2025-09-01", "--until", "2025-06-01"], "after --until"),
        (["changes"], "say what to compare: --period (period over period) or --by"),
        (["items", "--weight", "attr.nope=1"], "--weight: names items not chosen"),
        (["items", "--scale", "5,1"], "--scale: takes LOW,HIGH"),
        (["items", "--item", "nothing.*"], "--item: no stored item"),
        (["index", "--period", "week", "--resamples", "0"], None),
    ],
)
def test_the_command_line_names_its_own_options(
    demo: Any, args: list[str], said: str | None
) -> None:
    result = CliRunner().invoke(app, [*args, "-w", str(demo.root), "--format", "json"])
    if said is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert said in json.loads(result.stdout)["error"]


def test_every_error_names_options_in_the_interface_s_words(tmp_path: Path) -> None:
    """Not only parameter errors: a workspace or mapping error that names a parameter says
    ``workspace`` to the library and ``--workspace`` on the command line."""
    with pytest.raises(tp.WorkspaceError) as raised:
        tp.open(tmp_path)
    assert str(raised.value).endswith("or point workspace at one")
    said = CliRunner().invoke(app, ["status", "-w", str(tmp_path), "--format", "json"])
    assert said.exit_code == 1
    assert json.loads(said.stdout)["error"].endswith("or point --workspace at one")
    braces = ParameterError("where", "unknown dimension '{x' (dimensions: …)")
    assert str(braces) == "where: unknown dimension '{x' (dimensions: …)"  # user text as is


def test_the_quarantine_pages(demo: Any) -> None:
    """A large quarantine is read a page at a time; the title says which rows of how many."""
    ws = tp.open(demo.root)
    every = ws.quarantine().to_dict()
    assert len(every) == 3  # the demo's three planted bad rows
    page = ws.quarantine(limit=2, offset=1)
    assert page.to_dict() == every[1:3]
    assert "rows 2–3 of 3" in repr(page)
    with pytest.raises(ParameterError, match=r"^kind: unknown kind 'answers'"):
        ws.quarantine("answers")
