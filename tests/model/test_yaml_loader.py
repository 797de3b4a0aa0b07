"""The YAML loader builds plain mappings, lists and strings itself (issue 15): it reads every
document as ``yaml.safe_load`` does, still refuses a key given twice, and turns what PyYAML
lets through as a Python exception into a problem with its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from touchpoints.errors import ModelError
from touchpoints.model import load_model, template_text
from touchpoints.model.load import UniqueKeyLoader

FIXTURE = Path(__file__).parents[1] / "fixtures" / "touchpoints.yaml"


def load(text: str) -> Any:
    return yaml.load(text, Loader=UniqueKeyLoader)


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nnested: {a: [1, 2.5, -3, 0x1F, 0o17, 1_000]}\n",
        "yes: [yes, No, on, OFF, true, ~, null, '', \"\", .inf, -.Inf, .nan]\n",
        "dates: [2024-02-29, 2024-02-29T10:00:00+08:00, '2024-02-29']\n",
        "quoted: ['1', \"true\", 'null', !!str 5, ! 7]\nplain: 1.0e+3\n",
        "anchored: &a {x: [1, 2]}\ncopy: *a\nlist: &l [a, b]\nagain: [*l, *l]\n",
        "? explicit key\n: value\n",
        "set: !!set {a, b}\nomap: !!omap [a: 1, b: 2]\npairs: !!pairs [a: 1, a: 2]\n",
        "binary: !!binary aGVsbG8=\nempty:\nblock: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
        "- a list\n- {at: the top}\n",
        "just a string\n",
        "",
        "名称: 门店\n渠道: [网站, 门店]\n",
    ],
)
def test_a_document_reads_as_safe_load_reads_it(text: str) -> None:
    assert repr(load(text)) == repr(yaml.safe_load(text))


@pytest.mark.parametrize("path", [FIXTURE, None])
def test_the_template_and_the_test_model_read_as_safe_load_reads_them(path: Path | None) -> None:
    text = template_text() if path is None else path.read_text(encoding="utf-8")
    assert load(text) == yaml.safe_load(text)


def test_an_alias_is_the_same_object_and_may_refer_to_its_own_mapping() -> None:
    data = load("base: &b [1]\nuse: *b\nloop: &r {self: *r}\n")
    assert data["use"] is data["base"]
    assert data["loop"]["self"] is data["loop"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: A\nname: B\n", "line 2, column 1: not valid YAML (key 'name' is given twice)"),
        (
            "channels:\n  - {id: web, kind: online, id: app}\n",
            "line 2, column 29: not valid YAML (key 'id' is given twice)",
        ),
        ("1: a\n1: b\n", "line 2, column 1: not valid YAML (key '1' is given twice)"),
        (
            "timezone: 2024-02-30\n",
            "line 1, column 11: not valid YAML ('2024-02-30' is not a valid timestamp "
            "(day is out of range for month))",
        ),
        (
            "min_n: !!int many\n",
            "line 1, column 8: not valid YAML ('many' is not a valid int "
            "(invalid literal for int() with base 10: 'many'))",
        ),
        ("? [a, b]\n: c\n", "line 1, column 3: not valid YAML (found unhashable key)"),
        (
            "base: &b {x: 1}\nuse:\n  <<: *b\n",
            "line 3, column 3: not valid YAML (a merge key (<<) is not supported: "
            "write the keys out)",
        ),
    ],
)
def test_a_file_yaml_cannot_read_as_data_is_one_problem_with_its_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "touchpoints.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.problems == [problem]
