"""A model of 20,000 touchpoints loads whole, and its checks still find one mistake in it.

Issue 15 found such a model added 12 s to every command; how long it takes now is measured
in ``benchmarks/model.py``, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpoints.errors import ModelError
from touchpoints.model import CXModel, load_model

TOUCHPOINTS = 20_000
CHANNELS = 50
STAGES = ("awareness", "purchase", "use", "feedback")


def touchpoint_line(i: int, channel: str | None = None, extra_alias: str = "") -> str:
    """Touchpoint ``i``: on channel ``ch{i % 50}``, at stage ``STAGES[i % 4]``, two aliases."""
    aliases = f"t{i}, 触{i}" + (f", {extra_alias}" if extra_alias else "")
    return (
        f"  - {{id: tp{i}, name: {{zh: 触点{i}, en: Touchpoint {i}}}, "
        f"channel: {channel or f'ch{i % CHANNELS}'}, stage: {STAGES[i % 4]}, aliases: [{aliases}]}}"
    )


def model_text(lines: list[str]) -> str:
    channels = [
        f"  - {{id: ch{c}, name: {{zh: 渠道{c}, en: Channel {c}}}, kind: online, aliases: [c{c}]}}"
        for c in range(CHANNELS)
    ]
    return "\n".join(["name: Big shop", "channels:", *channels, "touchpoints:", *lines, ""])


def load(tmp_path: Path, text: str) -> CXModel:
    path = tmp_path / "touchpoints.yaml"
    path.write_text(text, encoding="utf-8")
    return load_model(path)


def test_a_model_of_20000_touchpoints_loads_with_every_entry(tmp_path: Path) -> None:
    lines = [touchpoint_line(i) for i in range(TOUCHPOINTS)]
    model = load(tmp_path, model_text(lines))

    assert len(model.channels) == 50
    assert len(model.touchpoints) == 20_000
    last = model.touchpoint("tp19999")
    # 19999 = 50 * 399 + 49 and 19999 = 4 * 4999 + 3
    assert (last.channel, last.stage) == ("ch49", "feedback")
    assert last.spellings() == ["tp19999", "触点19999", "Touchpoint 19999", "t19999", "触19999"]
    assert model.channel("ch7").aliases == ["c7"]


def test_one_duplicate_id_unknown_channel_and_clashing_alias_are_found_among_20000(
    tmp_path: Path,
) -> None:
    lines = [touchpoint_line(i) for i in range(TOUCHPOINTS)]
    lines[12_345] = touchpoint_line(12_345, channel="ch50")
    lines[7] = touchpoint_line(7, extra_alias="Touchpoint 8")
    lines.append(touchpoint_line(0))  # touchpoints[20000], a copy of the first

    with pytest.raises(ModelError) as info:
        load(tmp_path, model_text(lines))

    assert info.value.problems == [
        "touchpoints[20000].id: 'tp0' is already used by touchpoints[0]",
        "touchpoints[12345].channel: unknown channel 'ch50'",
        "touchpoints[7].aliases[2]: 'Touchpoint 8' already names 'tp8'",
    ]
