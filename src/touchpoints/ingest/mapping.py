"""Mapping files: which source column feeds which canonical column, and how values recode.

Without a mapping, headers that already are canonical names (in any case, spaces for
underscores), built-in Chinese/English header names (渠道, 触点, 时间…) or aliases from the
model's ``column_aliases`` are taken as they are. Every other column is dropped at the door:
only mapped columns are stored anywhere.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from touchpoints.errors import FileFormatError, MappingError
from touchpoints.ingest.encoding import detect_encoding
from touchpoints.ingest.kinds import ITEM_PREFIXES, KINDS, Kind, item_name_problem
from touchpoints.ingest.readers import FileFormat
from touchpoints.model import CXModel
from touchpoints.model.load import UniqueKeyLoader, format_path

Scalar = str | int | float | bool

# Header names people write for canonical columns, matched without case.
BUILTIN_HEADERS: dict[str, tuple[str, ...]] = {
    "response_id": ("响应id", "答卷编号", "回答编号", "序号", "id", "responseid", "response id"),
    "ts": ("时间", "提交时间", "提交答卷时间", "日期", "timestamp", "time", "date", "submitted at"),
    "customer": ("客户", "客户id", "会员", "会员号", "customer id", "customer_id", "member"),
    "channel": ("渠道",),
    "touchpoint": ("触点",),
    "nps": ("推荐意愿", "推荐值", "净推荐值"),
    "csat": ("满意度", "satisfaction"),
    "ces": ("费力度", "effort"),
    "comment": ("评论", "意见", "留言", "建议", "comments", "feedback"),
    "language": ("语言", "lang"),
    "segment": ("客户分群", "分群", "细分", "客户类型"),
    "region": ("地区", "区域", "城市"),
    "variant": ("版本", "实验组"),
    "brand": ("品牌",),
}


class Mapping(BaseModel):
    """A mapping file (``--map``); unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: str | None = None
    format: FileFormat | None = None
    columns: dict[str, str] = {}
    values: dict[str, dict[str, Scalar | None]] = {}
    recode: dict[str, dict[str, Scalar | None]] = {}
    constants: dict[str, Scalar] = {}
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    timezone: str | None = None
    ids: Literal["content"] | None = None
    dayfirst: bool = False

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding '{value}' (e.g. utf-8, gb18030)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError(f"a delimiter is one character, got '{value}'")
        return value


def load_mapping(path: Path) -> Mapping:
    try:
        # A mapping names the export's columns, often in Chinese: read it as it was saved.
        # A key given twice is an error, as in the model: YAML alone keeps the last silently.
        data = yaml.load(path.read_text(encoding=detect_encoding(path)), Loader=UniqueKeyLoader)
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except (FileFormatError, UnicodeError) as exc:
        raise MappingError(f"{path}: not readable as text ({exc})") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML ({exc})") from None
    try:
        return Mapping.model_validate(data or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{format_path(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise MappingError(f"{path}: {problems}") from None


@dataclass(frozen=True)
class ColumnPlan:
    """Where one canonical column comes from: a source column, a constant, and its recoding."""

    name: str
    source: str | None
    constant: str | None
    values: dict[str, str | None]


def _text(value: Scalar | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _normal_header(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def resolve_kind(declared: str | None, mapping: Mapping) -> Kind:
    """The kind from ``--kind`` and the mapping's ``kind``, which must agree."""
    if declared and mapping.kind and declared != mapping.kind:
        raise MappingError(
            f"{{kind}} {declared} disagrees with the mapping's kind: {mapping.kind}; drop one"
        )
    name = declared or mapping.kind
    if not name:
        raise MappingError("say which kind the file holds: {kind} KIND or `kind:` in a mapping")
    if name not in KINDS:
        raise MappingError(f"unknown kind '{name}' (known: {', '.join(KINDS)})")
    return KINDS[name]


def _auto_columns(headers: list[str], kind: Kind, model: CXModel) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical in kind.names:
        names = (
            canonical,
            *BUILTIN_HEADERS.get(canonical, ()),
            *model.column_aliases.get(canonical, ()),
        )
        lookup.update({_normal_header(n): canonical for n in names})
    columns: dict[str, str] = {}
    for header in headers:
        key = _normal_header(header)
        target = lookup.get(key)
        if target is None and key.startswith(ITEM_PREFIXES):
            target = key
        if target and target not in columns:
            columns[target] = header
    return columns


def plan_columns(
    mapping: Mapping, kind: Kind, headers: list[str], model: CXModel, file: str
) -> list[ColumnPlan]:
    """Check the mapping against the kind and the file's headers; one plan per column."""
    columns = dict(mapping.columns) if mapping.columns else _auto_columns(headers, kind, model)
    problems = []
    for name in {**columns, **mapping.constants}:
        if name in kind.names:
            continue
        if "." not in name:
            problems.append(
                f"columns.{name}: not a column of {kind.name} ({', '.join(kind.names)})"
            )
        elif kind.items_table is None:
            problems.append(f"columns.{name}: {kind.name} have no item columns")
        elif why := item_name_problem(name):
            problems.append(f"columns.{name}: {why}")
    present = set(headers)
    # Headers are read trimmed; a mapping may quote one with its stray spaces.
    columns = {name: source.strip() for name, source in columns.items()}
    for name, source in columns.items():
        if source not in present:
            problems.append(
                f"columns.{name}: no column '{source}' in {file} (columns: {', '.join(headers)})"
            )
    if problems:
        raise MappingError("; ".join(problems))
    for key in kind.key:
        content_id = mapping.ids == "content" and kind.column(key).role == "id"
        if key not in columns and key not in mapping.constants and not content_id:
            found = ", ".join(headers)
            hint = (
                ", or say `ids: content` if the source has no id" if key == kind.id_column else ""
            )
            raise MappingError(f"no column for {key} in {file} (columns: {found}): map one{hint}")
    plans = []
    for name in dict.fromkeys([*kind.names, *columns, *mapping.constants]):
        values: dict[str, str | None] = {}
        for pattern, table in mapping.recode.items():
            if fnmatch.fnmatchcase(name, pattern):
                values.update({k: _text(v) for k, v in table.items()})
        values.update({k: _text(v) for k, v in mapping.values.get(name, {}).items()})
        constant = _text(mapping.constants[name]) if name in mapping.constants else None
        plans.append(ColumnPlan(name, columns.get(name), constant, values))
    return plans
