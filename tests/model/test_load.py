"""touchpoints.yaml: the template is valid, and every problem is reported with its path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from touchpoints.errors import ModelError, UserInputError
from touchpoints.model import CXModel, load_model, parse_model, template_text

Data = dict[str, Any]
TEMPLATE: Data = yaml.safe_load(template_text())


def template() -> Data:
    return copy.deepcopy(TEMPLATE)


def problems_after(change: Callable[[Data], object]) -> list[str]:
    """The problems parse_model reports for the template after ``change``."""
    data = template()
    change(data)
    with pytest.raises(ModelError) as info:
        parse_model(data)
    return info.value.problems


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "touchpoints.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- valid models ----------------------------------------------------------------------------


def test_template_is_a_valid_model() -> None:
    model = parse_model(template())
    assert isinstance(model, CXModel)
    assert model.timezone == "Asia/Shanghai"
    assert [c.id for c in model.channels] == ["web", "app", "store", "call_center"]
    assert model.touchpoint("store_checkout").channel == "store"
    assert model.metrics.scales.csat == (1, 5)


def test_template_file_loads(tmp_path: Path) -> None:
    model = load_model(write(tmp_path, template_text()))
    assert model == parse_model(template())


def test_minimal_model_gets_defaults() -> None:
    model = parse_model({"name": "Shop"})
    assert [s.id for s in model.stages] == ["awareness", "purchase", "use", "feedback"]
    assert model.timezone == "UTC"
    assert model.metrics.min_n == 30


def test_plain_string_name_is_used_for_both_languages() -> None:
    model = parse_model(
        {"name": "Shop", "channels": [{"id": "web", "name": "Web", "kind": "online"}]}
    )
    assert model.channel("web").name.labels() == ["Web", "Web"]


# --- one problem each ------------------------------------------------------------------------


def test_unknown_channel_is_reported_with_zero_based_path() -> None:
    def change(d: Data) -> None:
        d["touchpoints"][3]["channel"] = "sotre"

    assert problems_after(change) == ["touchpoints[3].channel: unknown channel 'sotre'"]


def test_unknown_stage_is_reported() -> None:
    def change(d: Data) -> None:
        d["touchpoints"][0]["stage"] = "buy"

    assert problems_after(change) == ["touchpoints[0].stage: unknown stage 'buy'"]


def test_stage_must_be_one_of_the_models_own_stages() -> None:
    def change(d: Data) -> None:
        d["stages"] = [s for s in d["stages"] if s["id"] != "awareness"]

    assert problems_after(change) == ["touchpoints[0].stage: unknown stage 'awareness'"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["channels"][0].update(kidn="online"), "channels[0].kidn"),
        (lambda d: d.update(chanels=[]), "chanels"),
        (lambda d: d["touchpoints"][2].update(chanel="app"), "touchpoints[2].chanel"),
        (lambda d: d["stages"][1].update(order=2), "stages[1].order"),
        (lambda d: d["channels"][3]["name"].update(fr="x"), "channels[3].name.fr"),
        (lambda d: d["metrics"].update(min_N=5), "metrics.min_N"),
        (lambda d: d["metrics"]["scales"].update(nps=[0, 10]), "metrics.scales.nps"),
        (lambda d: d["slas"]["urgent"].update(reponse="1h"), "slas.urgent.reponse"),
        (lambda d: d["index"].update(weights="equal"), "index.weights"),
        (lambda d: d["taxonomy"][4].update(keyword=[]), "taxonomy[4].keyword"),
    ],
)
def test_unknown_key_is_reported_with_its_path(change: Callable[[Data], None], path: str) -> None:
    assert problems_after(change) == [f"{path}: unknown key (check its spelling)"]


@pytest.mark.parametrize(
    ("section", "index", "copy_of"),
    [("channels", 4, 1), ("touchpoints", 6, 2), ("stages", 4, 0), ("taxonomy", 5, 3)],
)
def test_duplicate_id_names_both_entries(section: str, index: int, copy_of: int) -> None:
    def change(d: Data) -> None:
        d[section].append(dict(d[section][copy_of]))

    item_id = TEMPLATE[section][copy_of]["id"]
    assert problems_after(change) == [
        f"{section}[{index}].id: '{item_id}' is already used by {section}[{copy_of}]"
    ]


def test_alias_used_by_two_channels_is_reported_where_it_comes_second() -> None:
    def change(d: Data) -> None:
        d["channels"][1]["aliases"] = ["APP", "Hotline"]  # call_center (3) also says hotline

    assert problems_after(change) == ["channels[3].aliases[1]: 'hotline' already names 'app'"]


def test_alias_equal_to_another_channels_id_is_reported() -> None:
    def change(d: Data) -> None:
        d["channels"][1]["aliases"] = ["Web"]

    assert problems_after(change) == ["channels[1].aliases[0]: 'Web' already names 'web'"]


def test_alias_used_by_two_touchpoints_is_reported() -> None:
    def change(d: Data) -> None:
        d["touchpoints"][4]["aliases"] = ["收银台"]

    assert problems_after(change) == [
        "touchpoints[4].aliases[0]: '收银台' already names 'store_checkout'"
    ]


@pytest.mark.parametrize("zone", ["Asia/Shangai", "Mars/Olympus", "UTC+8", ""])
def test_invalid_timezone_is_reported(zone: str) -> None:
    def change(d: Data) -> None:
        d["timezone"] = zone

    assert problems_after(change) == [f"timezone: unknown time zone '{zone}' (e.g. Asia/Shanghai)"]


@pytest.mark.parametrize(("scale", "low_high"), [("csat", [5, 1]), ("ces", [3, 3])])
def test_scale_must_be_low_then_high(scale: str, low_high: list[int]) -> None:
    def change(d: Data) -> None:
        d["metrics"]["scales"][scale] = low_high

    assert problems_after(change) == [
        f"metrics.scales.{scale}: a scale is [low, high] with low < high, got {low_high}"
    ]


def test_min_n_must_be_at_least_one() -> None:
    (problem,) = problems_after(lambda d: d["metrics"].update(min_n=0))
    assert problem.startswith("metrics.min_n: ")
    assert "greater than or equal to 1" in problem


def test_channel_kind_must_be_an_allowed_kind() -> None:
    (problem,) = problems_after(lambda d: d["channels"][0].update(kind="email"))
    assert problem.startswith("channels[0].kind: ")
    for kind in ("online", "offline", "social", "phone", "partner", "hybrid"):
        assert f"'{kind}'" in problem


def test_touchpoint_kind_must_be_an_allowed_kind() -> None:
    (problem,) = problems_after(lambda d: d["touchpoints"][0].update(kind="phone"))
    assert problem.startswith("touchpoints[0].kind: ")
    assert "'product'" in problem


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.pop("name"), "name: required"),
        (lambda d: d["channels"][0].pop("kind"), "channels[0].kind: required"),
        (lambda d: d["channels"][0].update(name={}), "channels[0].name: give a name"),
        (lambda d: d["channels"][0].update(id="Web Shop"), "channels[0].id: "),
        (lambda d: d.update(currency="rmb"), "currency: "),
        (lambda d: d["slas"]["urgent"].update(response="1 hour"), "slas.urgent.response: "),
        (lambda d: d["metrics"].update(confidence=1), "metrics.confidence: "),
        (lambda d: d.update(channels="web"), "channels: "),
    ],
)
def test_structural_problem_is_reported_with_its_path(
    change: Callable[[Data], None], path: str
) -> None:
    (problem,) = problems_after(change)
    assert problem.startswith(path)


@pytest.mark.parametrize("data", [None, [], "name: x", 3])
def test_top_level_must_be_a_mapping(data: object) -> None:
    with pytest.raises(ModelError) as info:
        parse_model(data)
    assert info.value.problems == ["(top level): expected a mapping of keys such as name, channels"]


# --- several problems ------------------------------------------------------------------------


def test_several_structural_problems_are_all_reported() -> None:
    def change(d: Data) -> None:
        d["channels"][0]["kidn"] = "online"
        d["metrics"]["min_n"] = 0
        d["metrics"]["scales"]["csat"] = [5, 1]

    problems = problems_after(change)
    assert len(problems) == 3
    assert "channels[0].kidn: unknown key (check its spelling)" in problems
    assert any(p.startswith("metrics.min_n: ") for p in problems)
    assert any(p.startswith("metrics.scales.csat: ") for p in problems)


def test_several_reference_problems_are_all_reported() -> None:
    def change(d: Data) -> None:
        d["touchpoints"][3]["channel"] = "sotre"
        d["touchpoints"][1]["stage"] = "buy"
        d["timezone"] = "Asia/Shangai"
        d["channels"][1]["aliases"] = ["shop"]

    assert sorted(problems_after(change)) == sorted(
        [
            "touchpoints[3].channel: unknown channel 'sotre'",
            "touchpoints[1].stage: unknown stage 'buy'",
            "timezone: unknown time zone 'Asia/Shangai' (e.g. Asia/Shanghai)",
            "channels[2].aliases[1]: 'shop' already names 'app'",
        ]
    )


def test_model_error_message_counts_problems_and_is_a_value_error() -> None:
    data = template()
    data["touchpoints"][3]["channel"] = "sotre"
    data["timezone"] = "Nowhere"
    with pytest.raises(ValueError, match=r"^touchpoints\.yaml: 2 problems: ") as info:
        parse_model(data)
    assert isinstance(info.value, ModelError)
    assert isinstance(info.value, UserInputError)
    assert info.value.source == "touchpoints.yaml"
    assert "touchpoints[3].channel: unknown channel 'sotre'" in str(info.value)


# --- files -----------------------------------------------------------------------------------


def test_missing_file_is_a_model_error(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "touchpoints.yaml"
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.problems == ["file not found"]
    assert info.value.source == str(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: x\nchannels: [\n  - id: web\n", "line 3"),
        ("name: x\n  bad: indent\n", "line 2"),
        ("name: x\n\tchannels: []\n", "line 2"),
    ],
)
def test_invalid_yaml_is_a_model_error_naming_the_line(
    tmp_path: Path, text: str, line: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_model(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{line}, column ")
    assert "not valid YAML" in problem
    assert info.value.source == str(path)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n"])
def test_file_without_a_mapping_is_a_model_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ModelError, match="expected a mapping"):
        load_model(write(tmp_path, text))


def test_problems_in_a_file_name_the_file(tmp_path: Path) -> None:
    text = template_text().replace(
        "channel: store, stage: purchase", "channel: sotre, stage: purchase", 1
    )
    path = write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.problems == ["touchpoints[3].channel: unknown channel 'sotre'"]
    assert str(info.value).startswith(f"{path}: 1 problem: ")


# --- edge cases found in review ---------------------------------------------------------------


def test_structural_and_reference_problems_are_reported_together() -> None:
    def change(d: Data) -> None:
        d["touchpoints"][3]["channel"] = "sotre"
        d["channels"][0]["kidn"] = "online"

    assert sorted(problems_after(change)) == [
        "channels[0].kidn: unknown key (check its spelling)",
        "touchpoints[3].channel: unknown channel 'sotre'",
    ]


def test_negative_weight_is_one_problem_at_the_weight_path() -> None:
    (problem,) = problems_after(lambda d: d["touchpoints"][1].update(weight=-1))
    assert problem.startswith("touchpoints[1].weight: ")


def test_alias_equal_to_another_channels_name_is_reported() -> None:
    def change(d: Data) -> None:
        d["channels"][1]["aliases"] = ["门店"]  # the zh name of store

    assert problems_after(change) == ["channels[1].aliases[0]: '门店' already names 'store'"]


def test_a_key_given_twice_is_a_problem(tmp_path: Path) -> None:
    """YAML itself keeps the last of two equal keys; a model file must not lose one silently."""
    path = write(tmp_path, "name: A\nname: B\n")
    with pytest.raises(ModelError, match="key 'name' is given twice"):
        load_model(path)
