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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from touchpoints.errors import FileFormatError, MappingError
from touchpoints.ingest.encoding import detect_encoding
from touchpoints.ingest.exports import survey_scope
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
    # Scopes the file's response ids: stored as `<survey>:<id>` (exports.survey_scope).
    survey: str | None = None
    # Not given: decided from each column's values (validate.py), never per value.
    dayfirst: bool | None = None
    decimal: Literal[".", ","] | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding '{value}' (e.g. utf-8, gb18030)") from None
        return value

    @field_validator("survey")
    @classmethod
    def _survey_name(cls, value: str | None) -> str | None:
        # It becomes part of every id: a blank or padded name would make ids no one can type.
        if value is not None and (not value.strip() or value != value.strip() or "\n" in value):
            raise ValueError("a survey is named by one line of text, e.g. survey: 门店满意度2025")
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
    """Where one canonical column comes from: a source column, a constant, and its recoding.

    ``prefix`` goes before every value read from the source (after recoding): the
    ``<survey>:`` that scopes a response id (:func:`touchpoints.ingest.exports.survey_scope`).
    """

    name: str
    source: str | None
    constant: str | None
    values: dict[str, str | None]
    prefix: str | None = None


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


def _auto_targets(kind: Kind, model: CXModel) -> Callable[[str], str | None]:
    """The canonical column a header names without a mapping (by name, built-in header or
    the model's aliases; item prefixes as they are), if any."""
    lookup: dict[str, str] = {}
    for canonical in kind.names:
        names = (
            canonical,
            *BUILTIN_HEADERS.get(canonical, ()),
            *model.column_aliases.get(canonical, ()),
        )
        lookup.update({_normal_header(n): canonical for n in names})

    def target(header: str) -> str | None:
        key = _normal_header(header)
        found = lookup.get(key)
        return key if found is None and key.startswith(ITEM_PREFIXES) else found

    return target


def _auto_columns(headers: list[str], kind: Kind, model: CXModel) -> dict[str, str]:
    target = _auto_targets(kind, model)
    columns: dict[str, str] = {}
    for header in headers:
        name = target(header)
        if name and name not in columns:
            columns[name] = header
    return columns


def used_headers(mapping: Mapping, kind: Kind, model: CXModel) -> Callable[[str], bool]:
    """Whether a source header may feed a column of ``kind``: only those are copied into the
    engine, since a file may hold thousands of columns it never uses."""
    if mapping.columns:
        return {source.strip() for source in mapping.columns.values()}.__contains__
    target = _auto_targets(kind, model)
    return lambda header: target(header) is not None


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
    scoped = _scoped_id(mapping, kind, columns, file)
    plans = []
    for name in dict.fromkeys([*kind.names, *columns, *mapping.constants]):
        values: dict[str, str | None] = {}
        for pattern, table in mapping.recode.items():
            if fnmatch.fnmatchcase(name, pattern):
                values.update({k: _text(v) for k, v in table.items()})
        values.update({k: _text(v) for k, v in mapping.values.get(name, {}).items()})
        constant = _text(mapping.constants[name]) if name in mapping.constants else None
        prefix = f"{scoped}:" if scoped is not None and name == kind.id_column else None
        plans.append(ColumnPlan(name, columns.get(name), constant, values, prefix))
    return plans


def _scoped_id(mapping: Mapping, kind: Kind, columns: dict[str, str], file: str) -> str | None:
    """The survey that scopes the ids of a responses file, if they need one."""
    if kind.name != "responses":
        if mapping.survey is not None:
            raise MappingError(f"survey: scopes response ids; {kind.name} have none")
        return None
    source = columns.get(kind.id_column)
    return None if source is None else survey_scope(source, mapping.survey, file)
