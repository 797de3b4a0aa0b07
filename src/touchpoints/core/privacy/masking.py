"""Mask personal data in free text before it is stored (CONTRACTS.md, *Quarantine rows*).

Masks: ``[email]``, ``[ip]``, ``[phone]``, ``[id]`` (Chinese resident ID: 18 digits with a valid
check digit, or 15 digits) and ``[card]`` (13–19 digits passing the Luhn check). Digits are
delimited by non-digits rather than word boundaries because Chinese characters count as word
characters: ``电话13800138000`` must still be masked.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Text without any of these holds nothing to mask: the fast path for most comments. Written
# for both Python and RE2 (DuckDB), so the engine can skip such texts before Python sees them.
MAYBE_PII_PATTERN = r"@|＠|[0-9０-９]{3}|[0-9]\.[0-9]"
_MAYBE_PII = re.compile(MAYBE_PII_PATTERN)
# Full-width digits and the signs numbers and addresses are written with, as Chinese input
# methods type them, read as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＠．－（）＋", "0123456789@.-()+")
_HAS_FULL_WIDTH = re.compile("[０-９＠．－（）＋]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")
# A run of digits, possibly grouped by single separators or a bracketed area code. Besides
# spaces and dashes, people group phone numbers with dots, underscores and long dashes
# ("139.1234.5678", "139_1234_5678", "139—1234—5678"); the formats below read them as dashes.
_SEPARATORS = " \\-._\u2013\u2014"
_NUMBER = re.compile(rf"(?<![\d+(])(?:\(?\+|\()?\d\)?(?:[{_SEPARATORS}]?\(?\d\)?)*[Xx]?(?!\d)")
# Groups of a run: each separator starts a new group ("138 0013 8000" → 138, " 0013", " 8000").
_GROUP_SPLIT = re.compile(rf"(?<=[\d)])(?=[{_SEPARATORS}])")
_AS_DASH = re.compile("[._\u2013\u2014]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# What each kind of personal number looks like, separators included: a run of ordinary
# numbers ("2025-05-01 2025-05-02", "100 200 300") must not pass for one of them.
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]|\d{6}[ \-]\d{8}[ \-]\d{3}[\dXx]")
_OLD_RESIDENT_ID = re.compile(r"\d{15}")
_CARD = re.compile(r"\d{13,19}|\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]\d{1,4})?|\d{4}[ \-]\d{6}[ \-]\d{5}")
_MOBILE_CN = re.compile(r"(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:\d{8}|[ \-]\d{4}[ \-]\d{4})")
_INTERNATIONAL = re.compile(r"(?:\+|00)\d{1,3}(?:[ \-]?(?:\(\d{1,4}\)|\d{1,4})){2,5}")
_LANDLINE_CN = re.compile(r"(?:\(0\d{2,3}\) ?|0\d{2,3}[ \-])(?:\d{7,8}|\d{3,4}[ \-]\d{4})")
_US_PHONE = re.compile(r"\(?\d{3}\)?[ \-]\d{3}-\d{4}")
_MAX_GROUPS = 6  # no format above has more groups; bounds the search on long number runs
_MIN_DIGITS = 8  # nor fewer digits (+1 555 1234 is the shortest international number taken)


def _valid_resident_id(digits: str) -> bool:
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@lru_cache(maxsize=1 << 16)
def _classify(candidate: str) -> str | None:
    """The mask for a number written as ``candidate``, or ``None`` if it is not personal."""
    candidate = _AS_DASH.sub("-", candidate)
    digits = re.sub(r"[^\dXx]", "", candidate)
    if len(digits) < _MIN_DIGITS:
        return None
    if _RESIDENT_ID.fullmatch(candidate) and _valid_resident_id(digits):
        return "[id]"
    if not digits.isdigit():
        return None
    n = len(digits)
    if _MOBILE_CN.fullmatch(candidate):
        return "[phone]"
    if _INTERNATIONAL.fullmatch(candidate) and 8 <= n - candidate.startswith("00") * 2 <= 15:
        return "[phone]"
    if _CARD.fullmatch(candidate) and 13 <= n <= 19 and _luhn(digits):
        return "[card]"
    if _OLD_RESIDENT_ID.fullmatch(candidate):
        return "[id]"
    if _LANDLINE_CN.fullmatch(candidate) or _US_PHONE.fullmatch(candidate):
        return "[phone]"
    return None


def _readings(body: str) -> list[tuple[str, str, str]]:
    """(before, number, after) ways to read a run: brackets that belong to the sentence
    ("(call 138…)") and an X that is a letter ("138…Xiaomi") are not part of the number."""
    before = after = ""
    if body.endswith(")") and body.count(")") > body.count("("):
        body, after = body[:-1], ")"
    if body.startswith("(") and body.count("(") > body.count(")"):
        body, before = body[1:], "("
    readings = [(before, body, after)]
    if ")" in body and not body.endswith(")"):  # "(+86)138…": a bracketed country code
        readings.append((before, body.replace("(", "").replace(")", ""), after))
    if body.startswith("(") and body.endswith(")"):
        readings.append((before + "(", body[1:-1], ")" + after))
    return readings + [(b, n[:-1], n[-1] + a) for b, n, a in readings if n[-1:] in ("X", "x")]


def _mask_slice(text: str) -> str | None:
    """``text`` (groups of one run) with its number masked, or ``None``."""
    body = text.lstrip(" -._\u2013\u2014")
    lead = text[: len(text) - len(body)]
    for before, number, after in _readings(body):
        mask = _classify(number)
        if mask:
            return lead + before + mask + after
    return None


def _mask_number(match: re.Match[str]) -> str:
    """Mask the longest slices of groups that are personal numbers, leftmost first.

    A run may join a phone number to a neighbouring number ("2 138 0013 8000"), so slices
    of up to ``_MAX_GROUPS`` whole groups are tried, not only the run as it stands.
    """
    run = match.group(0)
    if sum(map(str.isdigit, run)) < _MIN_DIGITS:
        return run
    groups = _GROUP_SPLIT.split(run)
    out: list[str] = []
    i = 0
    while i < len(groups):
        for j in range(min(len(groups), i + _MAX_GROUPS), i, -1):
            masked = _mask_slice("".join(groups[i:j]))
            if masked is not None:
                out.append(masked)
                i = j
                break
        else:
            out.append(groups[i])
            i += 1
    return "".join(out)


def _mask_once(text: str) -> str:
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if "." in text:
        text = _IP.sub("[ip]", text)
    return _NUMBER.sub(_mask_number, text)


def mask_text(text: str) -> str:
    """Replace e-mails, IP addresses, phone, ID and card numbers in ``text`` by masks.

    Masking repeats until nothing changes, so items that touch ("…002X13800138000") are all
    masked and masking a masked text changes nothing. (It ends: every change removes digits
    or an ``@``, and masks hold neither.)

    >>> mask_text("联系我 13800138000 或 ann@example.com")
    '联系我 [phone] 或 [email]'
    >>> mask_text("card 4111 1111 1111 1111, waited 45 minutes")
    'card [card], waited 45 minutes'
    """
    if not text or not _MAYBE_PII.search(text):
        return text
    if _HAS_FULL_WIDTH.search(text):  # the masks are found in ASCII digits, which are kept
        text = text.translate(_FULL_WIDTH)
    while (masked := _mask_once(text)) != text and _MAYBE_PII.search(masked):
        text = masked
    return masked
