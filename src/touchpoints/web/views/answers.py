"""The drill-down: the answers behind any figure, with their comments, a page at a time on the
server, with the filters of the page it came from."""

from __future__ import annotations

from typing import Any

from touchpoints.services.access import ANSWERS, RAW_ROWS, Withheld, answers_for
from touchpoints.services.answers import MAX_PAGE
from touchpoints.web.pages import PageContext, PageRefused, page
from touchpoints.web.tables import Sheets, exporter

PER_PAGE = 50
# The most rows one export holds; a larger selection is narrowed first (or paged in the API).
EXPORT_ROWS = 100_000


def _page_number(found: PageContext) -> int:
    given = found.request.query_params.get("page", "1")
    return int(given) if given.isdigit() and 0 < int(given) < 10**7 else 1


@page("/answers", permission=ANSWERS)
def answers(found: PageContext) -> tuple[str, dict[str, Any]]:
    number = _page_number(found)
    only_comments = found.request.query_params.get("comments") == "1"
    try:
        shown = answers_for(
            found.workspace,
            found.viewer.role,
            found.viewer.team,
            page=number,
            per_page=PER_PAGE,
            comments=only_comments,
            **found.filters.selection(),
        )
    except Withheld as refused:
        raise PageRefused(403, refused.message) from None
    last = max(1, -(-shown.total // PER_PAGE))
    keep = "1" if only_comments else None
    return "answers.html", {
        "answers": shown,
        "number": number,
        "last": last,
        "previous": found.link("/answers", page=number - 1, comments=keep) if number > 1 else None,
        "next": found.link("/answers", page=number + 1, comments=keep) if number < last else None,
        "toggle": found.link("/answers", comments=None if only_comments else "1"),
        "only_comments": only_comments,
        "exports": found.viewer.may(RAW_ROWS),
        "scope": [(found._(d), found.label(d, v)) for d, v in found.filters.where.items()],
    }


@exporter("answers", RAW_ROWS)
def export_answers(found: PageContext) -> Sheets:
    only_comments = found.request.query_params.get("comments") == "1"
    rows: list[dict[str, Any]] = []
    while len(rows) < EXPORT_ROWS:
        shown = found.workspace.answers(
            comments=only_comments, limit=MAX_PAGE, offset=len(rows), **found.filters.selection()
        )
        rows.extend(shown.records())
        if len(rows) >= shown.total or not shown.rows:
            break
    return [("answers", rows)]
