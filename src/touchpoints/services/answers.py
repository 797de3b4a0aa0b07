"""The answers behind a figure (the drill-down): the records a selection holds, a page at a
time, newest first.

Every figure a page shows comes from a selection (filters and dates); clicking it asks this
service for the same selection's answers with their comments. The page is cut in the engine
(``ORDER BY … LIMIT … OFFSET``), so a figure over ten million answers sends back fifty rows,
and the total comes from one ``count(*)`` over the same selection. Times are shown in the
workspace's zone. Comments are stored masked (ingestion masks personal data in every text),
so what is shown is what is stored.
"""

from __future__ import annotations

from dataclasses import replace

from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.answers import ANSWER_COLUMNS, AnswersResult
from touchpoints.services.selection import responses_sql, stage_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import lit

# The most rows one page may hold: a person reads fifty; a script pages on.
MAX_PAGE = 10_000


def answers_report(
    workspace: WorkspaceFolder,
    query: MetricsQuery,
    *,
    touchpoints: tuple[str, ...] | None = None,
    comments: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> AnswersResult:
    """A page of the answers ``query`` selects (its ``by`` and ``period`` are ignored: a
    drill-down names one group through ``where`` and its dates), only those at
    ``touchpoints`` when given (an agent's team), only those with a comment if
    ``comments``."""
    model = workspace.model
    with workspace.warehouse() as warehouse:
        clock = Clock.covering(warehouse, model.timezone)
        rows, _ = responses_sql(model, replace(query, by=(), period=None), clock)
        where = []
        if touchpoints is not None:
            scope = ", ".join(lit(t) for t in touchpoints) or "NULL"
            where.append(f"touchpoint IN ({scope})")
        if comments:
            where.append("comment IS NOT NULL AND trim(comment) <> ''")
        chosen = f"SELECT * FROM ({rows}) AS chosen"
        if where:
            chosen += " WHERE " + " AND ".join(where)
        (counted,) = warehouse.records(f"SELECT count(*) AS n FROM ({chosen}) AS c")
        local = clock.local_sql("ts")
        columns = [
            "response_id",
            f"strftime({local}, '%Y-%m-%d %H:%M') AS at",
            "channel",
            "touchpoint",
            f"{stage_sql(model)} AS stage",
            *ANSWER_COLUMNS[5:],
        ]
        page = warehouse.records(
            f"SELECT {', '.join(columns)} FROM ({chosen}) AS c "
            f"ORDER BY ts DESC, response_id LIMIT {int(limit)} OFFSET {int(offset)}"
        )
    return AnswersResult(
        tuple(page),
        "Answers",
        ANSWER_COLUMNS,
        total=int(counted["n"]),
        offset=offset,
    )
