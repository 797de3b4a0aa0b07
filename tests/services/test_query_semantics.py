"""Queries say what they did (issue 15, "Queries say what they did").

- a key given again in ``where`` means "any of these values" (different keys must all hold);
- a channel, touchpoint or stage may be named by its id, a name or an alias; one the model
  does not know is an error naming the near matches, never a silent n = 0;
- an empty dimension in ``by`` is an error, never a silent "no grouping".

Reference counts come from SQL written here against the stored rows, not from the service.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import touchpoints as tp
from conftest import query
from touchpoints.cli.app import app
from touchpoints.errors import ParameterError

OWN = "(brand IS NULL OR lower(brand) = lower('YueGou 悦购'))"


def _count(demo: Any, where: str) -> int:
    (row,) = query(demo, f"SELECT count(*) FROM responses WHERE {OWN} AND {where}")
    return int(row[0])


def test_a_key_given_twice_means_any_of_its_values(demo: Any) -> None:
    ws = tp.open(demo.root)
    (row,) = ws.metrics(where=["region=华东", "region=华南"]).rows
    assert row.n == _count(demo, "region IN ('华东', '华南')")
    assert row.n > _count(demo, "region = '华东'")


def test_different_keys_must_all_hold(demo: Any) -> None:
    ws = tp.open(demo.root)
    (row,) = ws.metrics(where=["region=华东", "region=华南", "channel=store"]).rows
    assert row.n == _count(demo, "region IN ('华东', '华南') AND channel = 'store'")


@pytest.mark.parametrize(
    "spelling", ["store_checkout", "门店收银", "Store checkout", "收银台", "STORE_CHECKOUT"]
)
def test_a_touchpoint_is_found_by_any_of_its_spellings(demo: Any, spelling: str) -> None:
    (row,) = tp.open(demo.root).metrics(where={"touchpoint": spelling}).rows
    assert row.n == _count(demo, "touchpoint = 'store_checkout'")


def test_a_stage_is_found_by_its_name(demo: Any) -> None:
    by_name = tp.open(demo.root).metrics(by="stage", where={"stage": "购买"}).rows
    assert [r.group["stage"] for r in by_name] == ["purchase"]


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (
            {"touchpoint": "store_chekout"},
            "no touchpoint 'store_chekout' in the model (did you mean store_checkout",
        ),
        ({"channel": "shop"}, "no channel 'shop' in the model"),
        ({"stage": "checkout"}, "no stage 'checkout' in the model"),
    ],
)
def test_an_unknown_model_value_is_an_error_with_near_matches(
    demo: Any, where: dict[str, str], said: str
) -> None:
    with pytest.raises(ParameterError, match=r"^where: ") as raised:
        tp.open(demo.root).metrics(where=where)
    assert said in str(raised.value)


def test_data_values_are_kept_as_given(demo: Any) -> None:
    """A region is data, not model: an unknown one matches no answer, and says so by n."""
    (row,) = tp.open(demo.root).metrics(where={"region": "火星"}).rows
    assert row.n == 0


@pytest.mark.parametrize("by", ["", "channel,,region", " , "])
def test_an_empty_dimension_is_an_error(demo: Any, by: str) -> None:
    with pytest.raises(ParameterError, match=r"^by: names an empty dimension"):
        tp.open(demo.root).metrics(by=by)


def test_the_command_line_says_so_too(demo: Any) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["metrics", "--by", "", "-w", str(demo.root), "--format", "json"])
    assert empty.exit_code == 1
    assert json.loads(empty.stdout)["error"].startswith("--by: names an empty dimension")
    typo = runner.invoke(
        app, ["changes", "--by", "region", "--where", "channel=stor", "-w", str(demo.root)]
    )
    assert typo.exit_code == 1
    assert "--where: no channel 'stor' in the model (did you mean store" in typo.stderr


def test_a_weight_given_twice_is_an_error(demo: Any) -> None:
    with pytest.raises(ParameterError, match=r"gives attr\.price more than one value"):
        tp.open(demo.root).items(weights=["attr.price=1", "attr.price=2"], resamples=0)


def test_sql_in_a_filter_value_is_only_a_value(demo: Any) -> None:
    """A value is a quoted literal: it matches nothing and runs nothing."""
    hostile = "x' OR 1=1; DROP TABLE responses; --"
    (row,) = tp.open(demo.root).metrics(where={"region": hostile}).rows
    assert row.n == 0
    assert _count(demo, "true") > 0  # the table is still there
