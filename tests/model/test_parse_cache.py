"""A large model's parse is kept beside it (issue 15) and used only for the same bytes: an
edit, a key given twice or a problem in the file is found as without it, and a copy that is
missing, cut short or cannot be written changes nothing but the time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from touchpoints.errors import ModelError
from touchpoints.model import load_model
from touchpoints.model.cache import CACHE_FROM_BYTES, cache_path

MODEL = """name: Big shop
channels:
  - {id: web, name: Web, kind: online}
touchpoints:
  - {id: web_checkout, name: Web checkout, channel: web, stage: purchase}
"""
# A comment as long as a large model, so that a test needs no 2,000 touchpoints to parse.
PADDING = "# " + "x" * CACHE_FROM_BYTES + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "touchpoints.yaml"
    path.write_text(text + PADDING, encoding="utf-8")
    return path


def test_a_large_model_is_read_from_its_copy_while_its_bytes_are_unchanged(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, MODEL)
    assert load_model(path).name == "Big shop"

    copy = cache_path(path)
    kept = json.loads(copy.read_text(encoding="utf-8"))
    kept["data"]["name"] = "From the copy"
    copy.write_text(json.dumps(kept), encoding="utf-8")
    assert load_model(path).name == "From the copy"


def test_an_edited_model_is_parsed_afresh(tmp_path: Path) -> None:
    path = write(tmp_path, MODEL)
    load_model(path)
    write(tmp_path, MODEL.replace("Big shop", "Bigger shop"))
    assert load_model(path).name == "Bigger shop"


def test_a_key_given_twice_in_an_edit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MODEL)
    load_model(path)
    write(tmp_path, MODEL + "name: Another\n")
    with pytest.raises(ModelError, match="key 'name' is given twice"):
        load_model(path)


def test_every_check_runs_on_a_model_read_from_its_copy(tmp_path: Path) -> None:
    path = write(tmp_path, MODEL.replace("channel: web", "channel: wbe"))
    problems = ["touchpoints[0].channel: unknown channel 'wbe'"]
    for _ in range(2):
        with pytest.raises(ModelError) as info:
            load_model(path)
        assert info.value.problems == problems
    assert cache_path(path).is_file()


def test_data_json_would_change_is_not_kept(tmp_path: Path) -> None:
    """A number as a key would come back from JSON as text, which the schema takes."""
    path = write(tmp_path, MODEL + "column_aliases: {1: [one]}\n")
    for _ in range(2):
        with pytest.raises(
            ModelError, match=r"column_aliases\[1\]: Input should be a valid string"
        ):
            load_model(path)
    assert not cache_path(path).exists()


@pytest.mark.parametrize(
    "copy",
    [
        "{not json",
        '{"key": {"sha256": "0"}, "data": {"name": "Stale"}}',
        '["a list"]',
    ],
)
def test_a_copy_cut_short_or_of_other_bytes_is_ignored_and_replaced(
    tmp_path: Path, copy: str
) -> None:
    path = write(tmp_path, MODEL)
    cache_path(path).parent.mkdir()
    cache_path(path).write_text(copy, encoding="utf-8")
    assert load_model(path).name == "Big shop"
    assert json.loads(cache_path(path).read_text(encoding="utf-8"))["data"]["name"] == "Big shop"


def test_a_model_loads_where_no_copy_can_be_written(tmp_path: Path) -> None:
    path = write(tmp_path, MODEL)
    cache_path(path).parent.write_text("a file where the folder would be", encoding="utf-8")
    assert load_model(path).name == "Big shop"
    assert load_model(path).name == "Big shop"


def test_a_small_model_leaves_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "touchpoints.yaml"
    path.write_text(MODEL, encoding="utf-8")
    load_model(path)
    assert not cache_path(path).parent.exists()


def test_the_copy_may_be_read_by_whoever_may_read_the_model(tmp_path: Path) -> None:
    path = write(tmp_path, MODEL)
    path.chmod(0o644)
    load_model(path)
    assert cache_path(path).stat().st_mode & 0o777 == 0o644
