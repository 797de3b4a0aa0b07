"""Header layouts of survey-tool exports (CONTRACTS.md, *Survey exports*).

A mapping's ``columns`` always refer to one name per column, made from the export's header
rows as the tool's users know them:

- Qualtrics: the first row (``Q1``, ``ResponseId``). The current export has three header rows
  (codes, question text, ``{"ImportId": …}`` in JSON or Python-style quotes), the legacy one
  two (``V1…`` codes, labels); they are told apart by the third row.
- SurveyMonkey: two header rows; a question's text stands over its first column only, so it
  is carried forward across the empty cells after it and joined with the second row's
  sub-label by `` - `` where that is not empty.
- LimeSurvey, Formbricks, 问卷星 and plain files: one header row, as exported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

SurveyTool = Literal["qualtrics", "surveymonkey", "limesurvey", "formbricks"]
SURVEY_TOOLS: tuple[SurveyTool, ...] = ("qualtrics", "surveymonkey", "limesurvey", "formbricks")
_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']\s*:""")

Rows = Sequence[Sequence[str | None]]


def header_rows(tool: str | None, first: Rows) -> int:
    """How many of the ``first`` rows of a file are header rows."""
    if tool == "surveymonkey":
        return 2
    if tool == "qualtrics":
        third = [c for c in first[2] if c] if len(first) > 2 else []
        return 3 if third and all(_IMPORT_ID.match(c.strip()) for c in third) else 2
    return 1


def column_names(tool: str | None, header: Rows) -> list[str | None]:
    """One name per column from the header rows."""
    first = [c.strip() if c else None for c in header[0]]
    if tool != "surveymonkey":
        return list(first)
    second = [c.strip() if c else "" for c in header[1]] if len(header) > 1 else []
    names: list[str | None] = []
    question: str | None = None
    for i, text in enumerate(first):
        question = text or question
        label = second[i] if i < len(second) else ""
        if question is None:
            names.append(label or None)
        else:
            names.append(f"{question} - {label}" if label else question)
    return names
