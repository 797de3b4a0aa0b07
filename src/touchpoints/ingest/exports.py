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

问卷星 numbers the answers of each survey from 1 in its ``序号`` column, so a response id
read from it is scoped by the survey (:func:`survey_scope`): ``<survey>:<序号>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Literal

from touchpoints.errors import MappingError

SurveyTool = Literal["qualtrics", "surveymonkey", "limesurvey", "formbricks"]
SURVEY_TOOLS: tuple[SurveyTool, ...] = ("qualtrics", "surveymonkey", "limesurvey", "formbricks")
_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']\s*:""")

Rows = Sequence[Sequence[str | None]]

SERIAL_HEADER = "序号"
# 问卷星 names a download `<activity number>_按<how>_<title>_<n>_<n>.xlsx` (按文本, 按序号, 按分数
# …); the activity number is the survey's own, the same in every later download of it.
_WENJUANXING_FILE = re.compile(r"^(\d+)_按[^_]*_")


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


def survey_scope(header: str, survey: str | None, file: str) -> str | None:
    """The survey that scopes response ids read from the column ``header`` of ``file``, or
    ``None`` when they need no scope.

    ``序号`` restarts at 1 in every 问卷星 survey (it numbers a survey's answers, it names none
    of them), so a second survey's answers would collide with the first's. Its ids are
    scoped by ``survey`` (a mapping's ``survey:``) or else by the activity number a 问卷星
    download is named with (``384504415_按文本_满意度_27_27.xlsx`` → ``384504415``). That
    number stays with the survey, so a later, longer download of it gives its earlier answers
    the same ids, and one file always the same ones. A file whose name has lost the number
    is refused rather than scoped by a guess (two surveys saved as ``data.xlsx`` would
    collide again). A mapping's ``survey:`` scopes any source of ids: LimeSurvey's ``id``
    restarts in each survey too.

    >>> survey_scope("序号", None, "exports/384504415_按文本_满意度调查_27_27.xlsx")
    '384504415'
    >>> survey_scope("ResponseId", None, "qualtrics.csv") is None
    True
    """
    if survey is not None:
        return survey
    if header.strip() != SERIAL_HEADER:
        return None
    found = _WENJUANXING_FILE.match(PurePath(file).name)
    if found is None:
        raise MappingError(
            f"{file}: response_id comes from {SERIAL_HEADER}, which 问卷星 numbers from 1 in "
            "every survey: name the survey with `survey: NAME` in a mapping (the same NAME for "
            "every export of it), or keep the name 问卷星 gave the file (123456789_按文本_…)"
        )
    return found[1]
