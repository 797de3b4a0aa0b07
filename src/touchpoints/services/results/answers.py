"""``touchpoints answers``: the answers behind a figure, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Records, TableView, View, cells

ANSWER_COLUMNS = (
    "response_id",
    "at",
    "channel",
    "touchpoint",
    "stage",
    "nps",
    "csat",
    "ces",
    "comment",
    "language",
    "segment",
    "region",
    "variant",
)


@dataclass(frozen=True, repr=False)
class AnswersResult(Records):
    """A page of answers, newest first, with the number of answers the selection holds
    (``total``) and where the page starts (``offset``)."""

    total: int = 0
    offset: int = 0

    def views(self) -> list[View]:
        shown = (
            f"answers {self.offset + 1:,}–{self.offset + len(self.rows):,} of {self.total:,}"
            if self.rows
            else f"no answers (of {self.total:,})"
        )
        body = tuple(cells([r.get(c) for c in ANSWER_COLUMNS]) for r in self.rows)
        return [TableView(f"{self.title}: {shown}", ANSWER_COLUMNS, body)]

    def page(self) -> dict[str, Any]:
        """Where this page sits: total, offset and how many rows it holds."""
        return {"total": self.total, "offset": self.offset, "rows": len(self.rows)}
