"""Cells a spreadsheet will not execute (OWASP, *CSV Injection*).

A CSV opened in Excel, WPS or LibreOffice runs a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula, so a customer's comment can become a command
on an analyst's machine. Such text gets a leading apostrophe, which spreadsheets show as
text; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import json
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet will not execute.

    >>> safe_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(-3.5), safe_cell("-3.5"), safe_cell("@SUM(A1)")
    (-3.5, '-3.5', "'@SUM(A1)")
    >>> safe_cell(["a", "b"])
    'a; b'
    """
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
