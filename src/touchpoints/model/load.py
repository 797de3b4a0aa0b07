"""Read ``touchpoints.yaml`` and report every problem with its path in the file.

Paths count list entries from 0 (``touchpoints[3].channel`` is the fourth touchpoint), the way
the YAML reads in a program and the way CONTRACTS.md pins it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from touchpoints.errors import ModelError
from touchpoints.model.schema import Aliased, CXModel

MODEL_FILE = "touchpoints.yaml"


def format_path(loc: Sequence[int | str]) -> str:
    """``("touchpoints", 3, "channel")`` → ``touchpoints[3].channel``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check its spelling)"
    if kind == "missing":
        return "required"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        # Union members and validators add their own names to the location; drop them.
        loc = [p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p == "str"))]
        problems.append(f"{format_path(loc)}: {_message(error)}")
    return problems


def _duplicates(path: str, ids: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, item_id in enumerate(ids):
        if item_id in seen:
            problems.append(
                f"{path}[{i}].id: '{item_id}' is already used by {path}[{seen[item_id]}]"
            )
        else:
            seen[item_id] = i
    return problems


def _alias_clashes(model: CXModel) -> list[str]:
    """An alias (or name) may stand for one channel or touchpoint only."""
    problems = []
    sections: tuple[tuple[str, Sequence[Aliased]], ...] = (
        ("channels", model.channels),
        ("touchpoints", model.touchpoints),
    )
    for section, entries in sections:
        owner: dict[str, str] = {e.id.lower(): e.id for e in entries}
        for i, entry in enumerate(entries):
            for j, alias in enumerate(entry.aliases):
                key = alias.strip().lower()
                if owner.get(key, entry.id) != entry.id:
                    problems.append(
                        f"{section}[{i}].aliases[{j}]: '{alias}' already names '{owner[key]}'"
                    )
                owner[key] = entry.id
    return problems


def check_references(model: CXModel) -> list[str]:
    """Problems that need the whole model to see: unknown references, clashing ids."""
    problems = _duplicates("stages", (s.id for s in model.stages))
    problems += _duplicates("channels", (c.id for c in model.channels))
    problems += _duplicates("touchpoints", (t.id for t in model.touchpoints))
    problems += _duplicates("taxonomy", (c.id for c in model.taxonomy))
    channels = {c.id for c in model.channels}
    stages = {s.id for s in model.stages}
    for i, tp in enumerate(model.touchpoints):
        if tp.channel not in channels:
            problems.append(f"touchpoints[{i}].channel: unknown channel '{tp.channel}'")
        if tp.stage not in stages:
            problems.append(f"touchpoints[{i}].stage: unknown stage '{tp.stage}'")
    try:
        ZoneInfo(model.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: unknown time zone '{model.timezone}' (e.g. Asia/Shanghai)")
    return problems + _alias_clashes(model)


def parse_model(data: Any, source: str = MODEL_FILE) -> CXModel:
    """Validate already-parsed YAML; raise :class:`ModelError` listing every problem."""
    if not isinstance(data, Mapping):
        raise ModelError(source, ["(top level): expected a mapping of keys such as name, channels"])
    try:
        model = CXModel.model_validate(data)
    except ValidationError as exc:
        raise ModelError(source, _pydantic_problems(exc)) from None
    problems = check_references(model)
    if problems:
        raise ModelError(source, problems)
    return model


def load_model(path: Path) -> CXModel:
    """Read and validate a ``touchpoints.yaml``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(str(path), ["file not found"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", exc)
        raise ModelError(str(path), [f"{where}not valid YAML ({problem})"]) from None
    return parse_model(data, str(path))
