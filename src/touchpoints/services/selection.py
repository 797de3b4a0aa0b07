"""Which rows a question is about, as SQL: our brand, stages, filters, dates and periods.

Written once, as SQL text in the warehouse's dialect (DuckDB's; a store on another engine
transpiles it), so that ``touchpoints metrics`` answers without importing Ibis — a third of a
second before any work, more than the whole query on a million answers. Services that go on
in Ibis (items, the index) wrap the same text with ``con.sql``: one definition either way.

Dates and periods are local to the workspace's zone through the :class:`Clock`; weeks start
on Monday, and a period is named by the local date it starts on.
"""

from __future__ import annotations

import difflib
from typing import Any

from touchpoints.errors import ParameterError
from touchpoints.model.schema import CXModel
from touchpoints.services.query import MetricsQuery
from touchpoints.storage.clock import Clock
from touchpoints.storage.contract import Store
from touchpoints.storage.sql import ident, lit


def is_own_sql(model: CXModel) -> str:
    """An answer is about us when it names no brand or our ``name``, in any letter case."""
    return f"(brand IS NULL OR lower(brand) = lower({lit(model.name)}))"


def own_responses_sql(model: CXModel) -> str:
    """Answers about the workspace's own brand: competitor answers from benchmark surveys
    count only where brand is asked for."""
    return f"SELECT * FROM responses WHERE {is_own_sql(model)}"


def _entries(model: CXModel, dimension: str) -> list[tuple[str, list[str]]]:
    """``(id, spellings)`` of the model's channels, touchpoints or stages."""
    if dimension == "stage":
        return [(s.id, [s.id, *s.name.labels()]) for s in model.stages]
    found = model.channels if dimension == "channel" else model.touchpoints
    return [(e.id, e.spellings()) for e in found]


def stage_sql(model: CXModel) -> str:
    """A response's stage, the stage of its touchpoint: one ``touchpoint IN (…)`` list per
    stage, not one CASE branch per touchpoint. The engine tries a CASE's branches one by one
    for every row (a model of 20,000 touchpoints took seconds per 100,000 answers); it looks
    a value up in an IN list's hash set, so the cost is a branch per stage."""
    at_stage: dict[str, list[str]] = {}
    for t in model.touchpoints:
        at_stage.setdefault(t.stage, []).append(lit(t.id))
    whens = " ".join(
        f"WHEN touchpoint IN ({', '.join(ids)}) THEN {lit(stage)}"
        for stage, ids in at_stage.items()
    )
    return f"CASE {whens} END" if whens else "NULL"


def resolve_filters(
    model: CXModel, where: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The filter values as stored: a channel, touchpoint or stage named by its id, a name or
    an alias (without case) becomes its id; one the model does not know is an error naming
    the near matches, since it could only ever match nothing. Other dimensions (region,
    segment …) are data, kept as given."""
    resolved = {}
    for dimension, values in where.items():
        if dimension not in ("channel", "touchpoint", "stage"):
            resolved[dimension] = values
            continue
        entries = _entries(model, dimension)
        lookup = {spelling.lower(): id_ for id_, spellings in entries for spelling in spellings}
        ids = []
        for value in values:
            if value.lower() not in lookup:
                known = [spelling for _, spellings in entries for spelling in spellings]
                near = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
                hint = (
                    f"did you mean {', '.join(near)}?"
                    if near
                    else f"{dimension}s: {', '.join(i for i, _ in entries[:10])}"
                    + (" …" if len(entries) > 10 else "")
                )
                raise ParameterError("where", f"no {dimension} '{value}' in the model ({hint})")
            ids.append(lookup[value.lower()])
        resolved[dimension] = tuple(dict.fromkeys(ids))
    return resolved


def in_periods_sql(
    source: str, ts: str, clock: Clock, query: MetricsQuery
) -> tuple[str, list[str]]:
    """The rows of ``source`` (a query) whose ``ts`` falls on a local date from ``since`` to
    ``until`` and, split by period, with a ``period`` column; and the keys that adds."""
    local = clock.local_sql(ident(ts))
    day = f"CAST({local} AS DATE)"
    where = [f"{day} >= DATE {lit(query.since.isoformat())}"] if query.since else []
    where += [f"{day} <= DATE {lit(query.until.isoformat())}"] if query.until else []
    period = (
        f", CAST(date_trunc({lit(query.period)}, {local}) AS DATE) AS period"
        if query.period
        else ""
    )
    sql = f"SELECT *{period} FROM ({source}) AS selected"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, ["period"] if query.period else []


def responses_sql(model: CXModel, query: MetricsQuery, clock: Clock) -> tuple[str, list[str]]:
    """The responses a query asks about, with its dimensions as columns, and the names to
    group by (``by`` and ``period``)."""
    asked = (*query.by, *query.where)
    columns = ["*"]
    if "brand" in asked:  # our answers under our name, whatever their spelling
        columns = [
            f"* REPLACE (CASE WHEN {is_own_sql(model)} THEN {lit(model.name)} "
            "ELSE brand END AS brand)"
        ]
    if "stage" in asked:
        columns.append(f"{stage_sql(model)} AS stage")
    filters = [] if "brand" in asked else [is_own_sql(model)]
    inner = f"SELECT {', '.join(columns)} FROM responses"
    if filters:
        inner += f" WHERE {' AND '.join(filters)}"
    outer = []
    if query.survey == "relationship":
        outer.append("channel IS NULL AND touchpoint IS NULL")
    elif query.survey == "transactional":
        outer.append("(channel IS NOT NULL OR touchpoint IS NOT NULL)")
    for key, values in resolve_filters(model, query.where).items():
        outer.append(f"{ident(key)} IN ({', '.join(lit(v) for v in values)})")
    chosen = f"SELECT * FROM ({inner}) AS answers"
    if outer:
        chosen += " WHERE " + " AND ".join(outer)
    sql, keys = in_periods_sql(chosen, "ts", clock, query)
    return sql, [*query.by, *keys]


def table_sql(name: str) -> str:
    """A whole stored table as a source for :func:`in_periods`."""
    return f"SELECT * FROM {ident(name)}"


def in_periods(
    con: Any, source: str, ts: str, clock: Clock, query: MetricsQuery
) -> tuple[Any, list[str]]:
    """:func:`in_periods_sql` over ``source`` (a query) as an Ibis table on backend ``con``,
    for the services that go on in Ibis."""
    sql, keys = in_periods_sql(source, ts, clock, query)
    return con.sql(sql), keys


def selected_responses(store: Store, model: CXModel, query: MetricsQuery) -> tuple[Any, list[str]]:
    """:func:`responses_sql` as an Ibis table on the store's backend, and its group keys."""
    sql, keys = responses_sql(model, query, Clock.covering(store, model.timezone))
    return store.ibis().sql(sql), keys
