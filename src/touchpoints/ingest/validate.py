"""Validation of mapped rows, written once as SQL so it runs in the engine.

For each canonical column the builder emits a typed value and a reason expression that is
``NULL`` when the value is fine. A row's ``reasons`` is the list of its non-null reasons, each
``column: what is wrong with 'value'`` (CONTRACTS.md), so a quarantined row says everything
that is wrong with it at once, not only the first problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from touchpoints.ingest.kinds import Column, Kind, item_rule
from touchpoints.ingest.mapping import ColumnPlan
from touchpoints.ingest.sql import ident, lit, lit_list, recode
from touchpoints.model import CXModel

SKIPPED = ("(跳过)", "(空)")  # 问卷星 writes these for skipped questions
# A leading number ("10 - Extremely likely", "3分"), not the start of a longer token ("1e3").
_LEADING_NUMBER = r"^\s*([+-]?[0-9]+(\.[0-9]+)?)([^0-9A-Za-z.]|$)"
_NAIVE_ISO = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
_HAS_ZONE = r"[T ][0-9]{1,2}:[0-9]{2}.*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_LANGUAGE_NAMES = {"中文": "zh", "汉语": "zh", "chinese": "zh", "英文": "en", "english": "en"}
HASH_NULL = "chr(30)"


def timestamp_formats(dayfirst: bool) -> list[str]:
    """strptime formats beyond ISO (which a cast reads); two-digit years are tried first."""
    md = "%d/%m" if dayfirst else "%m/%d"
    slashed = [
        f"{md}/%y %H:%M:%S",
        f"{md}/%y %H:%M",
        f"{md}/%y",
        f"{md}/%Y %I:%M:%S %p",
        f"{md}/%Y %I:%M %p",
        f"{md}/%Y %H:%M:%S",
        f"{md}/%Y %H:%M",
        f"{md}/%Y",
    ]
    # Month- or day-first slashed dates go first: %Y also reads "7" as the year 7.
    return [
        *slashed,
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
        "%Y年%m月%d日%H:%M",
        "%Y年%m月%d日",
        "%Y.%m.%d %H:%M:%S",
        "%Y.%m.%d %H:%M",
        "%Y.%m.%d",
    ]


@dataclass(frozen=True)
class StageSettings:
    timezone: str
    dayfirst: bool
    content_ids: bool


def clean(source: str) -> str:
    """A source cell, trimmed, with blanks and skip markers made missing."""
    expr = f"trim({ident(source)})"
    skipped = ", ".join(lit(s) for s in ("", *SKIPPED))
    return f"(CASE WHEN {expr} IN ({skipped}) THEN NULL ELSE {expr} END)"


def mapped_select(plans: list[ColumnPlan]) -> str:
    """SELECT of the canonical columns as text from the registered raw table ``_raw``."""
    parts = ["_row"]
    for plan in plans:
        if plan.source is not None:
            expr = recode(clean(plan.source), plan.values)
        elif plan.constant is not None:
            expr = lit(plan.constant)
        else:
            expr = "NULL::VARCHAR"
        parts.append(f"{expr} AS {ident(plan.name)}")
    return "SELECT " + ", ".join(parts) + " FROM _raw"


def _scale(model: CXModel, column: Column) -> tuple[int, int]:
    if column.scale == "nps":
        return (0, 10)
    low, high = getattr(model.metrics.scales, column.scale or "csat")
    return int(low), int(high)


def _number_reason(
    name: str, num: str, low: float | None, high: float | None, integer: bool
) -> str:
    raw = ident(name)
    label = lit(name + ": ")
    whens = [f"WHEN {num} IS NULL THEN {label} || '''' || {raw} || ''' is not a number'"]
    if integer:
        whens.append(
            f"WHEN {num} <> round({num}) THEN {label} || {raw} || ' is not a whole number'"
        )
    if low is not None and high is not None:
        span = lit(f" is outside {low:g}–{high:g}")
        whens.append(f"WHEN {num} < {low} OR {num} > {high} THEN {label} || {raw} || {span}")
    return f"CASE WHEN {raw} IS NULL THEN NULL {' '.join(whens)} END"


@dataclass
class _Built:
    """Pieces of the stage query.

    ``inner`` expressions see the mapped row as ``m`` and the lookups (aliases ``__x``);
    ``outer`` and ``reasons`` see the mapped columns and those aliases unprefixed.
    """

    inner: list[str] = field(default_factory=list)
    outer: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def typed(self, name: str, expr: str) -> None:
        self.outer.append(f"{expr} AS {ident(name)}")


def _timestamp(name: str, settings: StageSettings, out: _Built) -> None:
    raw, inner_raw = ident(name), f"m.{ident(name)}"
    fmts = lit_list(timestamp_formats(settings.dayfirst))
    zone = lit(settings.timezone)
    # The common case first, with one cheap test. Only ISO text goes through a cast:
    # DuckDB's cast also reads "7/9/14" — as the year 7.
    out.inner.append(
        f"CASE WHEN regexp_full_match({inner_raw}, {lit(_NAIVE_ISO)}) "
        f"THEN timezone({zone}, TRY_CAST({inner_raw} AS TIMESTAMP)) "
        f"WHEN regexp_matches({inner_raw}, {lit(_HAS_ZONE)}) "
        f"THEN TRY_CAST({inner_raw} AS TIMESTAMPTZ) "
        f"ELSE timezone({zone}, try_strptime({inner_raw}, {fmts})) END AS __ts"
    )
    ok = "year(__ts) BETWEEN 1970 AND 2100"
    out.outer.append(f"CASE WHEN {ok} THEN __ts END AS {raw}")
    out.reasons.append(
        f"CASE WHEN {raw} IS NULL THEN {lit(name + ': missing')} "
        f"WHEN __ts IS NULL THEN {lit(name + ': cannot parse ')} || '''' || {raw} || '''' "
        f"WHEN NOT ({ok}) THEN {lit(name + ': ')} || '''' || {raw} || "
        "''' is out of range (1970–2100)' END"
    )


def _column_sql(
    column: Column, kind: Kind, model: CXModel, settings: StageSettings, out: _Built
) -> None:
    name = column.name
    raw, inner_raw = ident(name), f"m.{ident(name)}"
    role = column.role
    if role == "id":
        if not settings.content_ids:
            out.reasons.append(f"CASE WHEN {raw} IS NULL THEN {lit(name + ': missing')} END")
    elif role == "timestamp":
        _timestamp(name, settings, out)
    elif role == "identifier":
        alias = f"__pseudo_{name}"
        out.inner.append(f"p_{name}.pseudonym AS {alias}")
        out.typed(name, alias)
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND {alias} IS NULL THEN {lit(name + ': ')} || '''' "
            f"|| {raw} || ''' is a pseudonym this workspace did not issue' END"
        )
    elif role == "channel":
        out.inner.append("ch.id AS __channel, tp.channel AS __tp_channel")
        out.typed(name, "COALESCE(__tp_channel, __channel)")
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND __channel IS NULL "
            f"THEN 'channel: unknown ''' || {raw} || '''' END"
        )
        out.reasons.append(
            "CASE WHEN __channel <> __tp_channel THEN 'channel: ''' || channel || ''' contradicts "
            "touchpoint ''' || touchpoint || ''' (on channel ''' || __tp_channel || ''')' END"
        )
    elif role == "touchpoint":
        out.inner.append("tp.id AS __touchpoint")
        out.typed(name, "__touchpoint")
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND __touchpoint IS NULL "
            f"THEN 'touchpoint: unknown ''' || {raw} || '''' END"
        )
    elif role == "score":
        low, high = _scale(model, column)
        num = f"__n_{name}"
        out.inner.append(
            f"TRY_CAST(regexp_extract({inner_raw}, {lit(_LEADING_NUMBER)}, 1) AS DOUBLE) AS {num}"
        )
        ok = f"{num} BETWEEN {low} AND {high} AND {num} = round({num})"
        out.typed(name, f"CASE WHEN {ok} THEN CAST({num} AS SMALLINT) END")
        out.reasons.append(_number_reason(name, num, low, high, integer=True))
    elif role == "free_text":
        out.inner.append(f"COALESCE(mk_{name}.text, {inner_raw}) AS __text_{name}")
        out.typed(name, f"__text_{name}")
    elif role == "language":
        names = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in _LANGUAGE_NAMES.items())
        given = f"lower(split_part(replace({raw}, '_', '-'), '-', 1))"
        text = next((ident(c.name) for c in kind.columns if c.role == "free_text"), "NULL")
        detected = (
            f"CASE WHEN regexp_matches({text}, '\\p{{Han}}') THEN 'zh' "
            f"WHEN regexp_matches({text}, '[A-Za-z]') THEN 'en' END"
        )
        out.typed(name, f"CASE lower({raw}) {names} ELSE COALESCE({given}, {detected}) END")
    elif role == "brand":
        out.typed(name, f"COALESCE({raw}, {lit(model.name)})")
    else:  # label
        out.typed(name, raw)


def _item_sql(name: str, out: _Built) -> None:
    rule = item_rule(name)
    if rule is None:  # a free item (item.x) is kept as text
        out.typed(name, ident(name))
        return
    num = ident("__n_" + name)
    pattern = lit(_LEADING_NUMBER)
    out.inner.append(f"TRY_CAST(regexp_extract(m.{ident(name)}, {pattern}, 1) AS DOUBLE) AS {num}")
    out.typed(name, num)
    out.reasons.append(_number_reason(name, num, rule.low, rule.high, rule.integer))


def _joined(expressions: list[str]) -> str:
    """One string of the values, unambiguous: a separator between, a marker for missing."""
    parts = ", ".join(f"COALESCE(CAST({e} AS VARCHAR), {HASH_NULL})" for e in expressions)
    return f"concat_ws(chr(31), {parts})"


def content_sql(kind: Kind, items: list[str], alias: str, stored_items: str | None = None) -> str:
    """A record's canonical content as one string, from its typed columns.

    The same expression reads staged rows and stored rows, so equal content gives equal
    strings under any engine version (unlike a stored hash). Items are ``name=value`` in name
    order; for stored rows ``stored_items`` is their aggregate from the items table.
    """
    parts = [
        f"epoch_us({alias}.{ident(c.name)})"
        if c.role == "timestamp"
        else f"{alias}.{ident(c.name)}"
        for c in kind.columns
        if c.role != "id"
    ]
    if stored_items is None:
        pairs = ", ".join(
            f"CASE WHEN {alias}.{ident(i)} IS NOT NULL "
            f"THEN {lit(i + '=')} || CAST({alias}.{ident(i)} AS VARCHAR) END"
            for i in sorted(items)
        )
        stored_items = f"concat_ws(chr(31), {pairs})" if pairs else "''"
    return f"{_joined(parts)} || chr(29) || COALESCE({stored_items}, '')"


STORED_ITEMS = (
    "string_agg(item || '=' || COALESCE(CAST(value AS VARCHAR), text), chr(31) ORDER BY item)"
)


def _joins(kind: Kind) -> str:
    joins = ["_mapped m"]
    if "channel" in kind.names:
        joins.append("LEFT JOIN _channels ch ON lower(m.channel) = ch.key")
    if "touchpoint" in kind.names:
        joins.append("LEFT JOIN _touchpoints tp ON lower(m.touchpoint) = tp.key")
    for column in kind.columns:
        col = column.name
        if column.role == "identifier":
            joins.append(f"LEFT JOIN _pseudo p_{col} ON m.{ident(col)} = p_{col}.raw")
        if column.role == "free_text":
            on = f"m.{ident(col)} = mk_{col}.raw AND mk_{col}.col = {lit(col)}"
            joins.append(f"LEFT JOIN _masked mk_{col} ON {on}")
    return " ".join(joins)


def stage_select(
    kind: Kind, plans: list[ColumnPlan], model: CXModel, settings: StageSettings
) -> str:
    """SELECT over ``_mapped`` giving typed columns, ``_key`` and ``reasons``.

    ``_key`` keys the quarantine: the record's id, else the MD5 of the row as mapped. With
    ``ids: content`` a missing id is filled afterwards (:func:`content_ids_sql`).
    """
    built = _Built()
    for column in kind.columns:
        _column_sql(column, kind, model, settings, built)
    items = [p.name for p in plans if p.name not in kind.names]
    for item in items:
        _item_sql(item, built)
    answers = [ident(c.name) for c in kind.columns if c.answer] + [ident(i) for i in items]
    if answers:
        built.reasons.append(
            f"CASE WHEN {' AND '.join(a + ' IS NULL' for a in answers)} THEN "
            "'response: no answer (a score, an item or a comment is needed)' END"
        )
    id_expr = ident(kind.id_column)
    raw_hash = f"md5({_joined([ident(p.name) for p in plans])})"
    outer = [
        "_row",
        f"{id_expr} AS {ident(kind.id_column)}",
        *built.outer,
        f"COALESCE({id_expr}, 'row_' || {raw_hash}) AS _key",
        f"list_filter([{', '.join(built.reasons)}]::VARCHAR[], r -> r IS NOT NULL) AS reasons",
    ]
    return (
        f"WITH t AS (SELECT {', '.join(['m.*', *built.inner])} FROM {_joins(kind)}) "
        f"SELECT {', '.join(outer)} FROM t"
    )


def content_ids_sql(kind: Kind, items: list[str]) -> str:
    """Fill missing ids from the content (``ids: content``): ``h_`` + 16 hex digits of MD5."""
    rid = ident(kind.id_column)
    derived = f"'h_' || md5({content_sql(kind, items, '_stage')})[1:16]"
    return f"UPDATE _stage SET {rid} = {derived}, _key = {derived} WHERE {rid} IS NULL"
