"""Read ``touchpoints.yaml`` and report every problem with its path in the file.

Paths count list entries from 0 (``touchpoints[3].channel`` is the fourth touchpoint), the way
the YAML reads in a program and the way CONTRACTS.md pins it.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:  # libyaml's parser, in every PyYAML wheel: the pure-Python one takes ~0.7 ms a touchpoint
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built from source without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from touchpoints.errors import ModelError
from touchpoints.model import cache
from touchpoints.model.schema import DEFAULT_STAGES, CXModel

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


def _is_field(part: int | str) -> bool:
    """Location parts that are keys or indexes, not pydantic's names of union members."""
    return isinstance(part, int) or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) is not None


def _pydantic_problems(exc: ValidationError) -> list[str]:
    """One line per path; a value refused by every member of a union gets one line."""
    by_path: dict[str, list[str]] = {}
    for error in exc.errors():
        path = format_path([p for p in error["loc"] if _is_field(p)])
        messages = by_path.setdefault(path, [])
        if (message := _message(error)) not in messages:
            messages.append(message)
    return [f"{path}: {' or '.join(messages)}" for path, messages in by_path.items()]


Entries = list[tuple[int, Mapping[str, Any]]]


def _entries(data: Mapping[str, Any], section: str) -> Entries:
    """The well-formed entries of a list section, with their positions."""
    value = data.get(section)
    if not isinstance(value, list):
        return []
    return [(i, e) for i, e in enumerate(value) if isinstance(e, Mapping)]


def _own_spellings(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path suffix, spelling) of an entry's id and names, as files may write them."""
    found = [("id", entry["id"])] if isinstance(entry.get("id"), str) else []
    name = entry.get("name")
    if isinstance(name, str):
        found.append(("name", name))
    elif isinstance(name, Mapping):
        found += [(f"name.{k}", v) for k, v in name.items() if isinstance(v, str)]
    return found


def _alias_spellings(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path suffix, spelling) of an entry's aliases."""
    aliases = entry.get("aliases")
    if not isinstance(aliases, list):
        return []
    return [(f"aliases[{j}]", a) for j, a in enumerate(aliases) if isinstance(a, str)]


def _spelling_clashes(section: str, entries: Entries) -> list[str]:
    """A spelling (id, name or alias) may stand for one entry only: files are matched on it.

    One dictionary of spellings seen, so the check grows with the file, not its square.
    Ids and names own their spelling first (a first pass over the file); an alias that
    repeats one is the mistake, found in the second pass.
    """
    owner: dict[str, str] = {}
    problems = []
    for spellings_of in (_own_spellings, _alias_spellings):
        for i, entry in entries:
            entry_id = str(entry.get("id"))
            for where, spelling in spellings_of(entry):
                key = spelling.strip().lower()
                if owner.setdefault(key, entry_id) != entry_id:
                    problems.append(
                        f"{section}[{i}].{where}: '{spelling}' already names '{owner[key]}'"
                    )
    return problems


def _duplicate_ids(section: str, entries: Entries) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, entry in entries:
        entry_id = entry.get("id")
        if not isinstance(entry_id, str):
            continue
        if entry_id in seen:
            problems.append(
                f"{section}[{i}].id: '{entry_id}' is already used by {section}[{seen[entry_id]}]"
            )
        else:
            seen[entry_id] = i
    return problems


def check_references(data: Mapping[str, Any], broken: frozenset[str] = frozenset()) -> list[str]:
    """Problems that need the whole file to see: unknown references, clashing ids and names.

    Works on the parsed YAML, not the validated model, so these problems are reported
    together with the structural ones in a single run. References into a ``broken`` section
    (one with structural problems) are not checked: one mistake, one message. Every check
    is one pass with a set or dictionary, so a model of 20,000 touchpoints costs 20 times
    one of 1,000.
    """
    sections = {s: _entries(data, s) for s in ("stages", "channels", "touchpoints", "taxonomy")}
    problems: list[str] = []
    for section, entries in sections.items():
        problems += _duplicate_ids(section, entries)
    channels = {e.get("id") for _, e in sections["channels"]}
    stages = {e.get("id") for _, e in sections["stages"]} if "stages" in data else DEFAULT_STAGES
    for i, tp in sections["touchpoints"]:
        channel, stage = tp.get("channel"), tp.get("stage")
        if "channels" not in broken and isinstance(channel, str) and channel not in channels:
            problems.append(f"touchpoints[{i}].channel: unknown channel '{channel}'")
        if "stages" not in broken and isinstance(stage, str) and stage not in stages:
            problems.append(f"touchpoints[{i}].stage: unknown stage '{stage}'")
    timezone = data.get("timezone")
    if isinstance(timezone, str):
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone: unknown time zone '{timezone}' (e.g. Asia/Shanghai)")
    return (
        problems
        + _spelling_clashes("channels", sections["channels"])
        + _spelling_clashes("touchpoints", sections["touchpoints"])
    )


def parse_model(data: Any, source: str = MODEL_FILE) -> CXModel:
    """Validate already-parsed YAML; raise :class:`ModelError` listing every problem."""
    if not isinstance(data, Mapping):
        raise ModelError(source, ["(top level): expected a mapping of keys such as name, channels"])
    problems: list[str] = []
    broken: set[str] = set()
    model = None
    try:
        model = CXModel.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(exc)
        # A section whose list or ids are wrong cannot be referred to reliably.
        broken = {
            str(e["loc"][0])
            for e in exc.errors()
            if len(e["loc"]) == 1 or (len(e["loc"]) >= 3 and e["loc"][2] == "id")
        }
    problems += check_references(data, frozenset(broken))
    if problems or model is None:
        raise ModelError(source, problems)
    return model


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class UniqueKeyLoader(_SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (YAML keeps the last).

    It parses with libyaml where PyYAML has it, and builds the plain mappings, lists and
    strings that are nearly all of a model or mapping file itself. PyYAML's generic way to
    them — a resolver that tracks paths for every node, a generator and a merge-key pass for
    every mapping, a dispatch by tag for every scalar — took most of the time of loading a
    model of 20,000 touchpoints. Every other tag (numbers, booleans, dates, ``!!binary``) is
    built by :class:`yaml.SafeLoader`'s constructors as before.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged node as PyYAML's resolver finds it: for a plain scalar the
        first implicit resolver (null, bool, int, float, timestamp…) that matches, else a
        string; without its path resolvers, which a safe loader never registers."""
        if kind is ScalarNode:
            if implicit[0]:
                resolvers: list[tuple[str, re.Pattern[str]]]
                resolvers = self.yaml_implicit_resolvers.get(value[:1], [])
                for tag, pattern in resolvers:
                    if pattern.match(value):
                        return tag
            return _STR_TAG
        return _MAP_TAG if kind is MappingNode else _SEQ_TAG

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag == _STR_TAG and type(node) is ScalarNode:
            return node.value
        if node in self.constructed_objects:  # an alias of a node already built
            return self.constructed_objects[node]
        if node.tag == _MAP_TAG and type(node) is MappingNode:
            return self._mapping(node)
        if node.tag == _SEQ_TAG and type(node) is SequenceNode:
            return self._sequence(node)
        try:
            return super().construct_object(node, deep=True)
        except ValueError as exc:  # 2024-02-30, `!!int x`: Python refuses the value itself
            kind = node.tag.rsplit(":", 1)[-1]
            raise ConstructorError(
                None, None, f"'{node.value}' is not a valid {kind} ({exc})", node.start_mark
            ) from None

    def _mapping(self, node: MappingNode) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        # Registered before it is filled, so that an alias inside refers back to it, as in
        # PyYAML. A string key or value is taken here, without a call: most nodes are one.
        self.constructed_objects[node] = data
        for key_node, value_node in node.value:
            if key_node.tag == _STR_TAG and type(key_node) is ScalarNode:
                key = key_node.value
            elif key_node.tag == _MERGE_TAG:
                raise ConstructorError(
                    None,
                    None,
                    "a merge key (<<) is not supported: write the keys out",
                    key_node.start_mark,
                )
            else:
                key = self.construct_object(key_node)
            try:
                given = key in data
            except TypeError:  # a list or mapping as a key
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            if given:
                raise ConstructorError(
                    None, None, f"key '{key}' is given twice", key_node.start_mark
                )
            if value_node.tag == _STR_TAG and type(value_node) is ScalarNode:
                data[key] = value_node.value
            else:
                data[key] = self.construct_object(value_node)
        return data

    def _sequence(self, node: SequenceNode) -> list[Any]:
        data: list[Any] = []
        self.constructed_objects[node] = data  # as in _mapping
        data.extend(self.construct_object(item) for item in node.value)
        return data


def _decoded(raw: bytes) -> str | None:
    """The model's text: UTF-8 (with or without BOM), else GB18030 — a superset of the GBK
    that Chinese Windows editors save in; ``None`` when neither reads it."""
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a large file becomes objects.

    Parsing and validating a model allocates some forty container objects per touchpoint and
    frees none of them; the collections those allocations trigger keep traversing everything
    built so far, so with the collector on, loading grew faster than the file (20k touchpoints
    took three times as long as with it paused). Reference counting frees as usual meanwhile;
    only the search for cycles waits, and a collector already paused by the caller stays so.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_model(path: Path) -> CXModel:
    """Read and validate a ``touchpoints.yaml``, in time linear in its size.

    A large file's parse is kept (:mod:`touchpoints.model.cache`) for the next load of the
    same bytes; every check runs on every load."""
    with _collector_paused():
        return _load_model(path)


def _load_model(path: Path) -> CXModel:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(str(path), ["file not found"]) from None
    except OSError as exc:
        raise ModelError(str(path), [f"cannot read ({exc.strerror})"]) from None
    data = cache.cached(path, raw)
    if data is None:
        data = _parsed(path, raw)
        cache.keep(path, raw, data)
    return parse_model(data, str(path))


def _parsed(path: Path, raw: bytes) -> Any:
    text = _decoded(raw)
    if text is None:
        raise ModelError(str(path), ["not text in UTF-8 or GB18030/GBK: save it as UTF-8"])
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", exc)
        raise ModelError(str(path), [f"{where}not valid YAML ({problem})"]) from None
