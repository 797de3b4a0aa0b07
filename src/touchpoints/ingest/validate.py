"""Validation of mapped rows, written once as SQL so it runs in the engine.

For each canonical column the builder emits a typed value and a reason expression that is
``NULL`` when the value is fine. A row's ``reasons`` is the list of its non-null reasons, each
``column: what is wrong with 'value'`` (CONTRACTS.md), so a quarantined row says everything
that is wrong with it at once, not only the first problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa

from touchpoints.core.privacy.pseudonym import fold_sql
from touchpoints.ingest.kinds import Column, Kind, item_rule
from touchpoints.ingest.mapping import ColumnPlan
from touchpoints.model import CXModel
from touchpoints.storage.sql import ident, lit, lit_list

SKIPPED = ("(跳过)", "(空)")  # 问卷星 writes these for skipped questions
_SPACE = r"[\s\x{3000}\x{00a0}]"  # RE2: ASCII white space, ideographic and no-break space
# Full-width digits, marks and signs, as Chinese input methods type answers, read as ASCII.
_FULL_WIDTH_DIGITS = ("０１２３４５６７８９．，＋－", "0123456789.,+-")
# Thousands may also be grouped by a space: ASCII, no-break or narrow no-break (French).
_GROUP_SPACE = r"[ \x{00a0}\x{202f}]"
# Money may carry one currency mark before or after it; other numbers carry no unit.
_MONEY = ("amount", "cost")
_CURRENCY = rf"^([+-]?){_SPACE}*(?:[¥￥$€£]|RMB|CNY){_SPACE}*|{_SPACE}*(?:元|RMB|CNY)$"
# Reads as a number under both conventions, differently: "1,299" is 1299 or 1.299.
_AMBIGUOUS = r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}"
# Slashed dates whose first part can only be a day (13/05/2025), or whose second can only be.
_DAY_FIRST_ONLY = r"^(1[3-9]|2[0-9]|3[01])/(0?[1-9]|1[0-2])/[0-9]{2}"
_MONTH_FIRST_ONLY = r"^(0?[1-9]|1[0-2])/(1[3-9]|2[0-9]|3[01])/[0-9]{2}"
_SLASHED = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]"
# C0 and C1 control characters and the line and paragraph separators: in an id they are a
# broken export or an attack on whatever prints it, never part of the id.
_CONTROL = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
_NAIVE_ISO = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
_HAS_ZONE = r"[T ][0-9]{1,2}:[0-9]{2}.*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_LANGUAGE_NAMES = {"中文": "zh", "汉语": "zh", "chinese": "zh", "英文": "en", "english": "en"}
HASH_NULL = "chr(30)"


def _leading_number(decimal: str) -> str:
    """RE2: a leading number followed by a space, a bracket or a colon ("10 - Extremely
    likely", "5 (Very satisfied)") or by 分, 问卷星's points ("3分"). Anything else joined to it
    makes it another value, which is refused rather than guessed: "1_0", "3/5", "1e3", and a
    unit ("7分钟", seven minutes) unless a mapping's values say what it means."""
    point = r"\." if decimal == "." else ","
    return rf"^\s*([+-]?[0-9]+({point}[0-9]+)?)(\s|$|分$|分[^钟]|[(（:：])"


def _reads(decimal: str) -> str:
    """RE2 (whole text): a number written with ``decimal`` as its decimal mark. Thousands are
    grouped by the other mark or a space, in groups of exactly 3 digits, so "1,00" is no
    number with a decimal point, and "1.299,00" none either."""
    group, point = (",", r"\.") if decimal == "." else (r"\.", ",")
    grouped = rf"[1-9][0-9]{{0,2}}(({group}[0-9]{{3}})+|({_GROUP_SPACE}[0-9]{{3}})+)"
    return rf"[+-]?([0-9]+|{grouped})({point}[0-9]+)?"


def timestamp_formats(dayfirst: bool | None) -> list[str]:
    """strptime formats beyond ISO (which a cast reads); two-digit years are tried first.
    ``None``: the day/month order is unknown, so slashed dates are not read at all."""
    md = "%d/%m" if dayfirst else "%m/%d"
    slashed = (
        []
        if dayfirst is None
        else [
            f"{md}/%y %H:%M:%S",
            f"{md}/%y %H:%M",
            f"{md}/%y",
            f"{md}/%Y %I:%M:%S %p",
            f"{md}/%Y %I:%M %p",
            f"{md}/%Y %H:%M:%S",
            f"{md}/%Y %H:%M",
            f"{md}/%Y",
        ]
    )
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
    """How a file's values are read, from its mapping. ``dayfirst`` and ``decimal`` are what
    the mapping declares; ``None`` (not declared) lets each column decide from all its values
    in the stage query (:func:`stage_select`), never one value at a time."""

    timezone: str
    dayfirst: bool | None
    content_ids: bool
    decimal: str | None = None


# Roles whose text passes the personal-data detector: free text is stored masked; a label, a
# platform, a brand or a language holding personal data is refused (a masked label would still
# group people). Record ids are screened apart, as whole values (:func:`_record_id`).
SCREENED = ("free_text", "label", "platform", "brand", "language")


def clean(source: str) -> str:
    """A source cell, trimmed of any white space (tabs, no-break and ideographic spaces
    too), with blanks and skip markers made missing. Most cells have none around them, so
    trimming (which copies the text) is done only where needed."""
    raw = ident(source)
    skipped = ", ".join(lit(s) for s in ("", *SKIPPED))
    trimmed = f"regexp_replace({raw}, {lit(f'^{_SPACE}+|{_SPACE}+$')}, '', 'g')"
    return (
        f"(CASE WHEN regexp_matches({raw}, {lit(f'^{_SPACE}|{_SPACE}$')}) THEN "
        f"CASE WHEN {trimmed} IN ({skipped}) THEN NULL ELSE {trimmed} END "
        f"WHEN {raw} IN ({skipped}) THEN NULL ELSE {raw} END)"
    )


def value_table(plans: list[ColumnPlan]) -> pa.Table:
    """The mapping's value maps (``values:``, ``recode:``) as rows ``(col, raw, value)``, to
    be registered as ``_values`` for :func:`mapped_select`.

    A map is joined, not written into the query as one CASE: a CASE of 300,000 codes is
    compiled and tried value by value (minutes and gigabytes), a hash join is built once.
    """
    cols: list[str] = []
    raws: list[str] = []
    values: list[str | None] = []
    for plan in plans:
        if plan.source is not None and plan.values:
            cols.extend([plan.name] * len(plan.values))
            raws.extend(plan.values)
            values.extend(plan.values.values())
    return pa.table(
        {
            "col": pa.array(cols, pa.string()),
            "raw": pa.array(raws, pa.string()),
            "value": pa.array(values, pa.string()),
        }
    )


def mapped_select(
    plans: list[ColumnPlan], quarantine_key: str | None = None, ids: frozenset[str] = frozenset()
) -> str:
    """SELECT of the canonical columns as text from the registered raw table ``_raw``, and
    ``_qkey``: the quarantine key a row carries when it comes from a quarantine export.

    A cleaned value found in its column's value map (the registered :func:`value_table`,
    ``_values``) is replaced by its value, exactly and case-sensitively; a value mapped to
    nothing becomes missing. Record ids (``ids``) are folded as identifiers are
    (:func:`fold_sql`): an id typed with full-width characters, a decomposed accent or an
    invisible character is the same record.
    """
    qkey = f"nullif(trim({ident(quarantine_key)}), '')" if quarantine_key else "NULL::VARCHAR"
    cleaned = ["_row", f"{qkey} AS _qkey"]
    parts = ["c._row", "c._qkey"]
    joins = []
    for i, plan in enumerate(plans):
        name = ident(plan.name)
        if plan.source is not None:
            cleaned.append(f"{clean(plan.source)} AS {name}")
            expr = f"c.{name}"
            if plan.values:
                found = f"v{i}"
                joins.append(
                    f"LEFT JOIN _values {found} "
                    f"ON {found}.col = {lit(plan.name)} AND {found}.raw = c.{name}"
                )
                expr = f"CASE WHEN {found}.raw IS NULL THEN {expr} ELSE {found}.value END"
            if plan.prefix is not None:  # a survey's own numbering, scoped to the survey
                expr = f"{lit(plan.prefix)} || {expr}"
            if plan.name in ids:
                expr = fold_sql(expr)
        elif plan.constant is not None:
            expr = lit(plan.constant)
        else:
            expr = "NULL::VARCHAR"
        parts.append(f"{expr} AS {name}")
    return f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(cleaned)} FROM _raw) c " + " ".join(
        joins
    )


def _scale(model: CXModel, column: Column) -> tuple[int, int]:
    if column.scale == "nps":
        return (0, 10)
    low, high = getattr(model.metrics.scales, column.scale or "csat")
    return int(low), int(high)


def _quoted(name: str) -> str:
    """SQL for ``name: 'raw value'`` at the start of a reason."""
    return f"{lit(name + ': ')} || '''' || {ident(name)} || ''''"


def _number_reason(
    name: str,
    num: str,
    bounds: tuple[float | None, float | None],
    integer: bool,
    first: list[str],
) -> str:
    """The reason of a number column; ``first`` are the WHEN clauses that explain a value
    better than "is not a number" (another decimal convention, an ambiguous value)."""
    raw = ident(name)
    label = lit(name + ": ")
    low, high = bounds
    whens = [*first, f"WHEN {num} IS NULL THEN {_quoted(name)} || ' is not a number'"]
    # A 400-digit number reads as infinity, and a whole number beyond 2^63 fits no column.
    too_large = f"abs({num}) >= 9.2e18" if integer else f"NOT isfinite({num})"
    whens.append(f"WHEN {too_large} THEN {_quoted(name)} || ' is too large'")
    if integer:
        whens.append(
            f"WHEN {num} <> round({num}) THEN {label} || {raw} || ' is not a whole number'"
        )
    if low is not None and high is not None:
        span = lit(f" is outside {low:g}–{high:g}")
        whens.append(f"WHEN {num} < {low} OR {num} > {high} THEN {label} || {raw} || {span}")
    elif low is not None:
        whens.append(f"WHEN {num} < {low} THEN {label} || {raw} || {lit(f' is below {low:g}')}")
    return f"CASE WHEN {raw} IS NULL THEN NULL {' '.join(whens)} END"


@dataclass
class _Built:
    """Pieces of the stage query.

    ``evidence`` are aggregates over the whole of ``_mapped`` (one row, aliases ``__e_x``):
    what a column's values tell about how to read them. ``inner`` expressions see the mapped
    row as ``m``, the evidence and the lookups (aliases ``__x``); ``typed`` (the final value of
    each column), ``reasons`` see the mapped columns and those aliases unprefixed. ``orders``
    says how each time column reads its slashed dates (:func:`_date_orders`).
    """

    evidence: list[str] = field(default_factory=list)
    inner: list[str] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)  # time column: its date order


def _first(name: str, condition: str, alias: str) -> str:
    """Evidence: the column's first value (in file order) meeting ``condition``, or NULL."""
    return f"arg_min(m.{ident(name)}, m._row) FILTER (WHERE {condition}) AS {alias}"


def _date_orders(kind: Kind, settings: StageSettings, out: _Built) -> None:
    """How each time column reads its slashed dates (``out.orders``): SQL giving ``'d'``
    day-first, ``'m'`` month-first, NULL when it cannot tell.

    The mapping's ``dayfirst`` decides when given. Otherwise the whole column does, once:
    day-first when some date can only be day-first (13/05/2025) and none only month-first,
    month-first in the reverse case. A column holding both kinds cannot tell: its slashed
    dates are refused, not read one by one. A column with no such date follows the file's
    other time columns (one export writes its dates one way: a period from 01/05/2025 to
    31/05/2025 is May), else it is month-first, SurveyMonkey's and Excel's order.
    """
    names = [c.name for c in kind.columns if c.role in ("timestamp", "date")]
    if settings.dayfirst is not None:
        out.orders = dict.fromkeys(names, "'d'" if settings.dayfirst else "'m'")
        return
    days = [ident(f"__e_d_{n}") for n in names]
    months = [ident(f"__e_m_{n}") for n in names]
    for name, day, month in zip(names, days, months, strict=True):
        raw = f"m.{ident(name)}"
        out.evidence += [
            _first(name, f"regexp_matches({raw}, {lit(_DAY_FIRST_ONLY)})", day),
            _first(name, f"regexp_matches({raw}, {lit(_MONTH_FIRST_ONLY)})", month),
        ]
    in_file = (
        f"CASE WHEN coalesce({', '.join(days)}) IS NOT NULL "
        f"AND coalesce({', '.join(months)}) IS NULL THEN 'd' ELSE 'm' END"
    )
    for name, day, month in zip(names, days, months, strict=True):
        out.orders[name] = (
            f"CASE WHEN {day} IS NULL AND {month} IS NULL THEN {in_file} "
            f"WHEN {day} IS NULL THEN 'm' WHEN {month} IS NULL THEN 'd' END"
        )


def _naive(raw: str, order: str) -> str:
    """A naive timestamp from text, slashed dates in the column's ``order``
    (:func:`_date_orders`). Only ISO text goes through a cast: DuckDB's cast also reads
    "7/9/14" — as the year 7."""
    parse = {
        day_first: f"try_strptime({raw}, {lit_list(timestamp_formats(day_first))})"
        for day_first in (True, False, None)
    }
    if order in ("'d'", "'m'"):
        naive = parse[order == "'d'"]
    else:
        naive = f"CASE {order} WHEN 'd' THEN {parse[True]} WHEN 'm' THEN {parse[False]} "
        naive += f"ELSE {parse[None]} END"
    return (
        f"CASE WHEN regexp_full_match({raw}, {lit(_NAIVE_ISO)}) THEN TRY_CAST({raw} AS TIMESTAMP) "
        f"ELSE {naive} END"
    )


def _time_reasons(
    name: str, parsed: str, out: _Built, required: bool, order: str, ok: str | None = None
) -> str:
    """Reasons of a timestamp or date column; returns the in-range condition (by default the
    year of a date; a timestamp passes its own, on its local date)."""
    ok = ok or f"year({parsed}) BETWEEN 1970 AND 2100"
    raw = ident(name)
    missing = f"WHEN {raw} IS NULL THEN {lit(name + ': missing')} " if required else ""
    unordered = ""
    if order not in ("'d'", "'m'"):
        unordered = (
            f"WHEN {order} IS NULL AND regexp_matches({raw}, {lit(_SLASHED)}) "
            f"THEN {_quoted(name)} || ' has no known day/month order: the column holds "
            f"day-first (''' || {ident(f'__e_d_{name}')} || ''') and month-first (''' || "
            f"{ident(f'__e_m_{name}')} || ''') dates; set dayfirst: true or false in the "
            "mapping' "
        )
    out.reasons.append(
        f"CASE {missing}WHEN {raw} IS NULL THEN NULL {unordered}"
        f"WHEN {parsed} IS NULL THEN {lit(name + ': cannot parse ')} || '''' || {raw} "
        "|| '''' "
        f"WHEN NOT ({ok}) THEN {_quoted(name)} || ' is out of range (1970–2100)' END"
    )
    return ok


def _offset_minutes(raw: str) -> str:
    """SQL: the size of a written UTC offset in minutes (0 for ``Z``). No zone on Earth is
    more than 14 hours from UTC, so a larger one (``+99:00``) is a typo, not a time."""
    found = f"regexp_extract({raw}, '[+-]([0-9]{{2}}):?([0-9]{{2}})?$', ['h', 'm'])"
    return (
        f"(COALESCE(TRY_CAST(nullif({found}.h, '') AS INTEGER), 0) * 60 "
        f"+ COALESCE(TRY_CAST(nullif({found}.m, '') AS INTEGER), 0))"
    )


def _timestamp(column: Column, settings: StageSettings, out: _Built) -> None:
    name, inner_raw = column.name, f"m.{ident(column.name)}"
    alias = f"__ts_{name}"
    zone = lit(settings.timezone)
    order = out.orders[name]
    # The common case first, with one cheap test.
    out.inner.append(
        f"CASE WHEN regexp_full_match({inner_raw}, {lit(_NAIVE_ISO)}) "
        f"THEN timezone({zone}, TRY_CAST({inner_raw} AS TIMESTAMP)) "
        f"WHEN regexp_matches({inner_raw}, {lit(_HAS_ZONE)}) "
        f"THEN CASE WHEN {_offset_minutes(inner_raw)} > 14 * 60 THEN NULL "
        f"ELSE TRY_CAST({inner_raw} AS TIMESTAMPTZ) END "
        f"ELSE timezone({zone}, {_naive(inner_raw, order)}) END AS {alias}"
    )
    local = _local_years(alias, settings.timezone)
    ok = _time_reasons(name, alias, out, column.required, order, local)
    out.typed[name] = f"CASE WHEN {ok} THEN {alias} END"


def _local_years(instant: str, zone: str) -> str:
    """SQL: whether the UTC ``instant`` falls in the years 1970–2100 on the workspace's local
    calendar. The bounds are the zone's local midnights, found once in Python, so no row is
    converted (Shanghai's 2101-01-01 00:00 is 2100-12-31 16:00 UTC, and is out of range)."""
    tz = ZoneInfo(zone)
    low, high = (datetime(y, 1, 1, tzinfo=tz).astimezone(UTC).isoformat() for y in (1970, 2101))
    return f"({instant} >= TIMESTAMPTZ {lit(low)} AND {instant} < TIMESTAMPTZ {lit(high)})"


def _date(column: Column, out: _Built) -> None:
    name = column.name
    alias = f"__d_{name}"
    order = out.orders[name]
    out.inner.append(f"CAST({_naive(f'm.{ident(name)}', order)} AS DATE) AS {alias}")
    ok = _time_reasons(name, alias, out, column.required, order)
    out.typed[name] = f"CASE WHEN {ok} THEN {alias} END"


def _ascii_digits(raw: str) -> str:
    full, ascii_ = _FULL_WIDTH_DIGITS
    return f"translate({raw}, {lit(full)}, {lit(ascii_)})"


def _leading(raw: str, decimal: str) -> str:
    """SQL: the leading number of an answer (:func:`_leading_number`), or NULL."""
    found = f"regexp_extract({_ascii_digits(raw)}, {lit(_leading_number(decimal))}, 1)"
    if decimal == ",":
        found = f"replace({found}, ',', '.')"
    return f"TRY_CAST({found} AS DOUBLE)"


def _number_text(column: Column, raw: str) -> str:
    """SQL: a number's text as the reader sees it: full-width forms as ASCII and, for money,
    its currency mark removed (``¥1,299.00``, ``199元``). Any other unit is refused."""
    text = _ascii_digits(raw)
    if column.name in _MONEY:
        text = f"regexp_replace({text}, {lit(_CURRENCY)}, '\\1', 'g')"
    return text


def _whole(text: str, decimal: str) -> str:
    """SQL: the number ``text`` writes with ``decimal`` as its decimal mark (:func:`_reads`),
    or NULL."""
    marks = lit(_GROUP_SPACE.replace("[", "[" + ("," if decimal == "." else ".")))
    bare = f"regexp_replace({text}, {marks}, '', 'g')"
    if decimal == ",":
        bare = f"replace({bare}, ',', '.')"
    return (
        f"CASE WHEN regexp_full_match({text}, {lit(_reads(decimal))}) "
        f"THEN TRY_CAST({bare} AS DOUBLE) END"
    )


def _number(
    column: Column,
    out: _Built,
    bounds: tuple[float | None, float | None],
    settings: StageSettings,
    leading: bool,
) -> str:
    """The parsed number of a column (alias); adds its reasons.

    An answer (``leading``) is read from its leading number ("10 - Extremely likely", "3分");
    any other number is its whole text ("-35.5", and money as "¥1,299.00"). The decimal mark
    is the mapping's ``decimal`` ("." by default): a value that reads only with the other
    mark ("1,00", "1.299,00" under ".") is refused saying so, never read another way. When
    the mapping does not say, a column that holds values written with a decimal comma refuses
    those that read both ways ("1,299": 1299, or 1.299), rather than pick one.
    """
    name = column.name
    alias = ident(f"__n_{name}")
    decimal = settings.decimal or "."
    other = "," if decimal == "." else "."
    raw, inner_raw = ident(name), f"m.{ident(name)}"
    if leading:
        fast = "[0-9]{1,3}"
        parsed, elsewhere = _leading(inner_raw, decimal), _leading(raw, other)
        grouping = ""
    else:
        fast = "[+-]?[0-9]+" + ("([.][0-9]+)?" if decimal == "." else "")
        parsed = _whole(_number_text(column, inner_raw), decimal)
        elsewhere = _whole(_number_text(column, raw), other)
        grouping = " (groups of thousands have 3 digits)"
    out.inner.append(  # plain digits, the usual value, skip the rest
        f"CASE WHEN regexp_full_match({inner_raw}, {lit(fast)}) "
        f"THEN TRY_CAST({inner_raw} AS DOUBLE) ELSE {parsed} END AS {alias}"
    )
    convention = (
        f' is not a number with the decimal mark "{decimal}"{grouping}; '
        f'set decimal: "{other}" in the mapping if "{other}" is its decimal mark'
    )
    first = [
        f"WHEN {alias} IS NULL AND {elsewhere} IS NOT NULL "
        f"THEN {_quoted(name)} || {lit(convention)}"
    ]
    integer = column.role == "score" or column.integer
    checks = [
        f"{alias} IS NOT NULL",
        f"abs({alias}) < 9.2e18" if integer else f"isfinite({alias})",
    ]
    if not leading and settings.decimal is None:
        text = _number_text(column, inner_raw)
        comma_only = (
            f"regexp_matches({inner_raw}, '[.,．，]') "
            f"AND regexp_full_match({text}, {lit(_reads(','))}) "
            f"AND NOT regexp_full_match({text}, {lit(_reads('.'))})"
        )
        example, ambiguous = ident(f"__e_c_{name}"), ident(f"__a_{name}")
        out.evidence.append(_first(name, comma_only, example))
        out.inner.append(
            f"{example} IS NOT NULL AND regexp_full_match({text}, {lit(_AMBIGUOUS)}) AS {ambiguous}"
        )
        shown = _number_text(column, raw)
        advice = """' with a decimal comma; set decimal: "," or "." in the mapping"""
        first.append(
            f"WHEN {ambiguous} THEN {_quoted(name)} || ' reads as ' || replace({shown}, ',', '') "
            f"|| ' or as ' || replace(replace({shown}, '.', ''), ',', '.') "
            f"|| ': the column also holds ''' || {example} || {lit(advice)}"
        )
        checks.append(f"{ambiguous} IS NOT TRUE")
    out.reasons.append(_number_reason(name, alias, bounds, integer, first))
    low, high = bounds
    if integer:
        checks.append(f"{alias} = round({alias})")
    if low is not None:
        checks.append(f"{alias} >= {low}")
    if high is not None:
        checks.append(f"{alias} <= {high}")
    return f"CASE WHEN {' AND '.join(checks)} THEN {alias} END"


def _no_control(name: str, value: str, out: _Built) -> str:
    """``value`` of an id or identifier column, NULL when its text holds a control character
    (:data:`_CONTROL`); adds the reason naming the character."""
    found = ident(f"__ctl_{name}")
    out.inner.append(f"regexp_extract(m.{ident(name)}, {lit(_CONTROL)}) AS {found}")
    out.reasons.append(
        f"CASE WHEN {found} <> '' THEN {lit(name + ': holds a control character (')} "
        f"|| printf('U+%04X', unicode({found})) || ')' END"
    )
    return f"CASE WHEN {found} = '' THEN {value} END"


def _column_sql(
    column: Column, kind: Kind, model: CXModel, settings: StageSettings, out: _Built
) -> None:
    name = column.name
    raw, inner_raw = ident(name), f"m.{ident(name)}"
    role = column.role
    derived_id = role == "id" and settings.content_ids
    if column.required and role not in ("timestamp", "date") and not derived_id:
        out.reasons.append(f"CASE WHEN {raw} IS NULL THEN {lit(name + ': missing')} END")
    if role in SCREENED and role != "free_text":  # a value: personal data is refused
        found = f"__pii_{name}"  # the first mask masking put in it: [phone], [email] …
        out.inner.append(f"regexp_extract(mk_{name}.text, '\\[[a-z]+\\]') AS {found}")
        out.reasons.append(
            f"CASE WHEN {found} IS NOT NULL THEN {lit(name + ': holds personal data (')} "
            f"|| {found} || {lit('), refused')} END"
        )
        out.typed[name] = f"CASE WHEN {found} IS NULL THEN {_value(column, kind, model)} END"
    elif role == "id":
        out.typed[name] = _no_control(name, _record_id(name, out), out)
    elif role == "timestamp":
        _timestamp(column, settings, out)
    elif role == "date":
        _date(column, out)
    elif role == "identifier":
        alias = f"__pseudo_{name}"
        out.inner.append(f"p_{name}.pseudonym AS {alias}")
        out.typed[name] = _no_control(name, alias, out)
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND {alias} IS NULL THEN {_quoted(name)} "
            "|| ' is a pseudonym this workspace did not issue' END"
        )
    elif role == "channel":
        out.inner.append("ch.id AS __channel, tp.channel AS __tp_channel")
        resolved = ["__tp_channel", "__channel"]
        if "platform" in kind.names:  # a review platform names its channel by an alias
            out.inner.append("pf.id AS __platform_channel")
            resolved.append("__platform_channel")
        out.typed[name] = f"COALESCE({', '.join(resolved)})"
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND __channel IS NULL "
            f"THEN 'channel: unknown ''' || {raw} || '''' END"
        )
        if "touchpoint" in kind.names:
            out.reasons.append(
                "CASE WHEN __channel <> __tp_channel THEN 'channel: ''' || channel || "
                "''' contradicts touchpoint ''' || touchpoint || ''' (on channel ''' "
                "|| __tp_channel || ''')' END"
            )
    elif role == "touchpoint":
        out.inner.append("tp.id AS __touchpoint")
        out.typed[name] = "__touchpoint"
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND __touchpoint IS NULL "
            f"THEN 'touchpoint: unknown ''' || {raw} || '''' END"
        )
    elif role == "score":
        score = _number(column, out, _scale(model, column), settings, leading=True)
        out.typed[name] = f"CAST({score} AS SMALLINT)"
    elif role == "number":
        number = _number(column, out, (column.low, column.high), settings, leading=False)
        out.typed[name] = f"CAST({number} AS BIGINT)" if column.integer else number
    elif role == "enum":
        allowed = ", ".join(lit(v) for v in column.values)
        value = f"lower({raw})"
        default = lit(column.default) if column.default else "NULL"
        out.typed[name] = f"CASE WHEN {value} IN ({allowed}) THEN {value} ELSE {default} END"
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND {value} NOT IN ({allowed}) THEN {_quoted(name)} "
            f"|| {lit(' is not one of ' + ', '.join(column.values))} END"
        )
    elif role == "currency":
        value = f"upper({raw})"
        out.typed[name] = (
            f"CASE WHEN {raw} IS NULL THEN {lit(model.currency)} "
            f"WHEN regexp_full_match({value}, '[A-Z]{{3}}') THEN {value} END"
        )
        out.reasons.append(
            f"CASE WHEN {raw} IS NOT NULL AND NOT regexp_full_match({value}, '[A-Z]{{3}}') "
            f"THEN {_quoted(name)} || ' is not a currency code such as CNY' END"
        )
    elif role == "free_text":
        out.inner.append(f"COALESCE(mk_{name}.text, {inner_raw}) AS __text_{name}")
        out.typed[name] = f"__text_{name}"


def _value(column: Column, kind: Kind, model: CXModel) -> str:
    """The stored value of a label, platform, brand or language column that holds no
    personal data: a language as its code (given, or detected from the free text), an
    answer without brand as the workspace's own."""
    raw = ident(column.name)
    if column.role == "brand":
        return f"COALESCE({raw}, {lit(model.name)})"
    if column.role != "language":
        return raw
    names = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in _LANGUAGE_NAMES.items())
    given = f"lower(split_part(replace({raw}, '_', '-'), '-', 1))"
    texts = [ident(c.name) for c in kind.columns if c.role == "free_text"]
    text = f"concat_ws(' ', {', '.join(texts)})" if texts else "NULL"
    detected = (
        f"CASE WHEN regexp_matches({text}, '\\p{{Han}}') THEN 'zh' "
        f"WHEN regexp_matches({text}, '[A-Za-z]') THEN 'en' END"
    )
    return f"CASE lower({raw}) {names} ELSE COALESCE({given}, {detected}) END"


def _record_id(name: str, out: _Built) -> str:
    """A record id, or in its place its record pseudonym when the id as a whole is a phone
    number, an e-mail address or an ID number.

    Some shops number orders or members by the customer's phone: such an id is personal data,
    but refusing it would refuse every such record, and an order number that merely looks like
    a mobile number with it. The pseudonym is deterministic under the workspace key, so the
    record keeps its identity: a second ingest finds it a duplicate, a later version updates
    it, its items point at it. The ingest finds such ids once, among the distinct ids, and
    puts their pseudonyms in ``_masked`` (col, raw, text) beside the masked texts.
    """
    pseudonym = f"__rid_{name}"
    out.inner.append(f"mk_{name}.text AS {pseudonym}")
    return f"COALESCE({pseudonym}, {ident(name)})"


def free_items(kind: Kind, plans: list[ColumnPlan]) -> list[str]:
    """The free items (``item.x``) a file maps: text answers, which may hold personal data."""
    return [p.name for p in plans if p.name not in kind.names and item_rule(p.name) is None]


def _item_sql(name: str, settings: StageSettings, out: _Built) -> None:
    rule = item_rule(name)
    if rule is None:  # a free item (item.x) is a text answer: stored masked, as a comment
        alias = ident(f"__text_{name}")
        out.inner.append(f"COALESCE({ident('mk_' + name)}.text, m.{ident(name)}) AS {alias}")
        out.typed[name] = alias
        return
    # An item is an answer: its leading number is read, as for scores.
    item = Column(name, "score" if rule.integer else "number")
    out.typed[name] = _number(item, out, (rule.low, rule.high), settings, leading=True)


def _joined(expressions: list[str]) -> str:
    """One string of the values, unambiguous: a separator between, a marker for missing."""
    parts = ", ".join(f"COALESCE(CAST({e} AS VARCHAR), {HASH_NULL})" for e in expressions)
    return f"concat_ws(chr(31), {parts})"


def key_sql(kind: Kind, alias: str) -> str:
    """A record's key as text (parts joined by ``|``), ``NULL`` when a part is missing; the
    same expression over staged and stored rows."""
    parts = [f"CAST({alias}.{ident(k)} AS VARCHAR)" for k in kind.key]
    if len(parts) == 1:
        return parts[0]
    missing = " OR ".join(f"{p} IS NULL" for p in parts)
    return f"CASE WHEN {missing} THEN NULL ELSE concat_ws('|', {', '.join(parts)}) END"


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
        if c.name not in kind.key
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


def _joins(kind: Kind, evidence: bool, texts: list[str]) -> str:
    """The lookups a row is validated with; ``texts`` are the free items, masked as free
    text is."""
    joins = ["_mapped m"]
    if evidence:
        joins.append("CROSS JOIN e")
    if "channel" in kind.names:
        joins.append("LEFT JOIN _channels ch ON lower(m.channel) = ch.key")
    if "platform" in kind.names:
        joins.append("LEFT JOIN _channels pf ON lower(m.platform) = pf.key")
    if "touchpoint" in kind.names:
        joins.append("LEFT JOIN _touchpoints tp ON lower(m.touchpoint) = tp.key")
    else:  # the channel expression reads the touchpoint's channel
        joins.append("LEFT JOIN (SELECT NULL::VARCHAR AS channel) tp ON false")
    for column in kind.columns:
        col = column.name
        if column.role == "identifier":
            joins.append(f"LEFT JOIN _pseudo p_{col} ON m.{ident(col)} = p_{col}.raw")
        if column.role in (*SCREENED, "id"):
            on = f"m.{ident(col)} = mk_{col}.raw AND mk_{col}.col = {lit(col)}"
            joins.append(f"LEFT JOIN _masked mk_{col} ON {on}")
    for item in texts:
        mk = ident(f"mk_{item}")
        on = f"m.{ident(item)} = {mk}.raw AND {mk}.col = {lit(item)}"
        joins.append(f"LEFT JOIN _masked {mk} ON {on}")
    return " ".join(joins)


def _kind_rules(kind: Kind, items: list[str], built: _Built) -> None:
    """Reasons about the row as a whole."""
    answers = [ident(c.name) for c in kind.columns if c.answer] + [ident(i) for i in items]
    if answers:
        built.reasons.append(
            f"CASE WHEN {' AND '.join(a + ' IS NULL' for a in answers)} THEN "
            f"{lit(f'{kind.singular}: {kind.answer_message}')} END"
        )
    if kind.one_of:
        needed = " or a ".join(kind.one_of)
        built.reasons.append(
            f"CASE WHEN {' AND '.join(ident(c) + ' IS NULL' for c in kind.one_of)} THEN "
            f"{lit(f'{kind.singular}: needs a {needed}')} END"
        )
    for earlier, later in kind.in_order:
        first, then = built.typed[earlier], built.typed[later]
        built.reasons.append(
            f"CASE WHEN {then} < {first} THEN {_quoted(later)} || "
            f"{lit(f' is before {earlier} ')} || '''' || {ident(earlier)} || '''' END"
        )


def stage_select(
    kind: Kind, plans: list[ColumnPlan], model: CXModel, settings: StageSettings
) -> str:
    """SELECT over ``_mapped`` giving typed columns, ``_id``, ``_key`` and ``reasons``.

    ``_id`` is the record's key as text; ``_key`` keys the quarantine: the id, else the MD5
    of the row as mapped. With ``ids: content`` a missing id is filled afterwards
    (:func:`content_ids_sql`).
    """
    built = _Built()
    _date_orders(kind, settings, built)
    for column in kind.columns:
        _column_sql(column, kind, model, settings, built)
    items = [p.name for p in plans if p.name not in kind.names]
    for item in items:
        _item_sql(item, settings, built)
    _kind_rules(kind, items, built)
    typed = [f"{expr} AS {ident(name)}" for name, expr in built.typed.items()]
    # Only a row without a whole key needs the hash of its raw values (for its quarantine key).
    keyless = " OR ".join(f"({built.typed[k]}) IS NULL" for k in kind.key)
    raw_hash = f"CASE WHEN {keyless} THEN md5({_joined([ident(p.name) for p in plans])}) END"
    reasons = f"list_filter([{', '.join(built.reasons)}]::VARCHAR[], r -> r IS NOT NULL)"
    key = key_sql(kind, "s")
    # What the columns' values tell (date orders, decimal commas): one aggregate, once.
    evidence = f"e AS (SELECT {', '.join(built.evidence)} FROM _mapped m), "
    inner = ", ".join(["m.*", *(["e.*"] if built.evidence else []), *built.inner])
    joins = _joins(kind, bool(built.evidence), free_items(kind, plans))
    return (
        f"WITH {evidence if built.evidence else ''}"
        f"t AS (SELECT {inner} FROM {joins}), "
        f"s AS (SELECT _row, {', '.join(typed)}, {reasons} AS reasons, {raw_hash} AS __raw "
        "FROM t) "
        f"SELECT s.* EXCLUDE (__raw), {key} AS _id, COALESCE({key}, 'row_' || __raw) AS _key "
        "FROM s"
    )


def content_ids_sql(kind: Kind, items: list[str]) -> str:
    """Fill missing ids from the content (``ids: content``): ``h_`` + 16 hex digits of MD5."""
    rid = ident(kind.id_column)
    derived = f"'h_' || md5({content_sql(kind, items, '_stage')})[1:16]"
    # Only valid rows: a refused row's typed values are partly missing, so two different
    # refused rows could derive one id; they keep the hash of their raw values instead.
    return (
        f"UPDATE _stage SET {rid} = {derived}, _id = {derived}, _key = {derived} "
        f"WHERE {rid} IS NULL AND len(reasons) = 0"
    )
