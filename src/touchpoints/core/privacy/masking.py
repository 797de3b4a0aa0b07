"""Mask personal data in free text before it is stored (CONTRACTS.md, *Quarantine rows*).

Masks: ``[email]``, ``[ip]``, ``[phone]``, ``[id]`` (Chinese resident ID: 18 digits with a valid
check digit, or 15 digits) and ``[card]`` (13–19 digits passing the Luhn check). Digits are
delimited by non-digits rather than word boundaries because Chinese characters count as word
characters: ``电话13800138000`` must still be masked.

:func:`personal_value` asks another question of a whole value, a record id: is it, as a
whole, a phone number, an e-mail address or an ID number? Such an id is pseudonymised
(docs/privacy.md); :func:`personal_value_sql` asks it in the engine.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from touchpoints.core.privacy.pseudonym import INVISIBLE as _INVISIBLE
from touchpoints.core.privacy.pseudonym import fold, fold_sql

# Text without any of these holds nothing to mask: the fast path for most comments. Written
# for both Python and RE2 (DuckDB), so the engine can skip such texts before Python sees them.
# An invisible character may hide a number or an address ("138\u200b0013\u200b8000"), so a
# text holding one is looked at too.
MAYBE_PII_PATTERN = rf"@|＠|[0-9０-９]{{3}}|[0-9]\.[0-9]|[{_INVISIBLE}]"
_MAYBE_PII = re.compile(MAYBE_PII_PATTERN)
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_VISIBLE = str.maketrans("", "", _INVISIBLE)
# Full-width digits, Latin letters (an ID's Ｘ, an address typed full-width) and the signs
# numbers and addresses are written with, as Chinese input methods type them, read as ASCII.
# Full-width punctuation of sentences (，：；！？) is kept.
_FULL_WIDTH_CHARS = "（）＋－．＠＿" + "".join(
    chr(c) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
)  # and ０-９, Ａ-Ｚ, ａ-ｚ
_FULL_WIDTH = str.maketrans(_FULL_WIDTH_CHARS, unicodedata.normalize("NFKC", _FULL_WIDTH_CHARS))
_HAS_FULL_WIDTH = re.compile(f"[{_FULL_WIDTH_CHARS}]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")
# A run of digits, possibly grouped by single separators or a bracketed area code. Besides
# spaces and hyphens, people group phone numbers with no-break and ideographic spaces, dots,
# underscores and the other dashes ("139.1234.5678", "139_1234_5678", "139—1234—5678"); the
# formats below read them as a space or a hyphen (:data:`_AS_ASCII`).
_SPACES = " \u00a0\u2009\u202f\u3000"
_DASHES = "-._\u2010\u2011\u2012\u2013\u2014\u2212"
_SEPARATORS = re.escape(_SPACES + _DASHES)
_AS_ASCII = str.maketrans(dict.fromkeys(_SPACES, " ") | dict.fromkeys(_DASHES, "-"))
_NUMBER = re.compile(rf"(?<![\d+(])(?:\(?\+|\()?\d\)?(?:[{_SEPARATORS}]?\(?\d\)?)*[Xx]?(?!\d)")
# Groups of a run: each separator starts a new group ("138 0013 8000" → 138, " 0013", " 8000").
_GROUP_SPLIT = re.compile(rf"(?<=[\d)])(?=[{_SEPARATORS}])")
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
    candidate = candidate.translate(_AS_ASCII)
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
    body = text.lstrip(_SPACES + _DASHES)
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
    masked = _mask_all(text)
    if _HAS_INVISIBLE.search(masked):
        # Invisible characters go only where they hide something: elsewhere they may be
        # meant (the joiners inside an emoji sequence).
        visible = masked.translate(_VISIBLE)
        if (unhidden := _mask_all(visible)) != visible:
            return unhidden
    return masked


def _mask_all(text: str) -> str:
    while (masked := _mask_once(text)) != text and _MAYBE_PII.search(masked):
        text = masked
    return masked


# --- whole values -----------------------------------------------------------------------------
# A value that is, as a whole, a customer's phone number, e-mail address or ID number: a record
# id of a shop that numbers orders or members so. The rules read the digits whatever separates
# them; a value they take is pseudonymised, so erring towards taking one costs only its
# legibility. Card numbers are left out: no shop numbers records by card, while one order
# number in ten passes the Luhn check. Written for Python and RE2 alike.
_WHOLE_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# Digits with any separators and brackets, a leading + and an ID's final X.
_WHOLE_NUMBER = rf"[(+]*[0-9][0-9(){_SEPARATORS}]*[0-9Xx]"
_WHOLE_MOBILE = "(?:86)?1[3-9][0-9]{9}"
_WHOLE_LANDLINE = "0[0-9]{9,11}"  # area code 0xx or 0xxx and a number of 7 or 8 digits
_WHOLE_US = r"\(?[0-9]{3}\)?[ \-][0-9]{3}-[0-9]{4}"  # only as written so: 10 digits are many
# An ID of 15 digits has no check digit, but a birth date (YYMMDD) after the region.
_WHOLE_OLD_ID = "[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
_TRIM = " \t\n\r\f\v\u3000\u00a0"
# What a value that is one of them may start with, or must hold: the rest are passed over.
_MAYBE_WHOLE = rf"^[{_TRIM}{_INVISIBLE}(+0-9０-９（＋]|@|＠"
_WHOLE = {
    name: re.compile(pattern)
    for name, pattern in [
        ("email", _WHOLE_EMAIL),
        ("number", _WHOLE_NUMBER),
        ("mobile", _WHOLE_MOBILE),
        ("landline", _WHOLE_LANDLINE),
        ("us", _WHOLE_US),
        ("old_id", _WHOLE_OLD_ID),
    ]
}


def personal_value(value: str) -> str | None:
    """``[phone]``, ``[email]`` or ``[id]`` when ``value`` as a whole is a phone number, an
    e-mail address or a resident ID number (folded as identifiers are, separators of any
    kind), else ``None``.

    >>> personal_value("138.0013.8000"), personal_value("Ann＠Example.com")
    ('[phone]', '[email]')
    >>> personal_value("ORD-20250504-0001") is None
    True
    """
    text = fold(value).strip(_TRIM)
    if _WHOLE["email"].fullmatch(text):
        return "[email]"
    if not _WHOLE["number"].fullmatch(text):
        return None
    digits = re.sub("[^0-9Xx]", "", text)
    if not digits[-1].isdigit():
        return "[id]" if _valid_resident_id(digits) else None
    local = digits[2:] if digits.startswith("00") else digits
    international = text.lstrip("(").startswith("+") or digits.startswith("00")
    if (international and 8 <= len(local) <= 15) or _WHOLE["mobile"].fullmatch(digits):
        return "[phone]"
    if _valid_resident_id(digits) or _WHOLE["old_id"].fullmatch(digits):
        return "[id]"
    if _WHOLE["landline"].fullmatch(digits) or _WHOLE["us"].fullmatch(text.translate(_AS_ASCII)):
        return "[phone]"
    return None


def personal_value_sql(expr: str) -> str:
    """:func:`personal_value` as a DuckDB expression over the text ``expr``.

    Most ids start with a letter and hold no ``@``: they are passed over at once. The folded
    text and its digits are bound once each as lambda parameters (``t``, ``d``); the check
    digit's sum is written out (a list lambda costs several times as much), and each rule is
    tried only on values with its number of digits: DuckDB evaluates both sides of an AND,
    but only the branch of a CASE that is taken.
    """
    trim = "".join(f"\\x{{{ord(c):04x}}}" for c in _TRIM)
    text = f"regexp_replace({fold_sql(expr)}, '^[{trim}]+|[{trim}]+$', '', 'g')"
    weighted = " + ".join(f"(ascii(d[{i + 1}]) - 48) * {w}" for i, w in enumerate(_ID_WEIGHTS))
    resident = f"substr('{_ID_CHECK}', CAST(({weighted}) % 11 AS INTEGER) + 1, 1) = upper(d[18])"
    international = "(starts_with(ltrim(t, '('), '+') OR starts_with(d, '00'))"
    local = "CASE WHEN starts_with(d, '00') THEN length(d) - 2 ELSE length(d) END"
    as_ascii = f"translate(t, '{_SPACES}{_DASHES}', '{' ' * len(_SPACES)}{'-' * len(_DASHES)}')"
    mobile = f"regexp_full_match(d, '{_WHOLE_MOBILE}')"
    landline = f"regexp_full_match(d, '{_WHOLE_LANDLINE}')"
    number = (
        "CASE WHEN regexp_matches(d, '[Xx]$') THEN "
        f"CASE WHEN length(d) = 18 AND {resident} THEN '[id]' END "
        f"WHEN {international} AND {local} BETWEEN 8 AND 15 THEN '[phone]' "
        "ELSE CASE length(d) "
        f"WHEN 11 THEN CASE WHEN {mobile} OR {landline} THEN '[phone]' END "
        f"WHEN 13 THEN CASE WHEN {mobile} THEN '[phone]' END "
        f"WHEN 18 THEN CASE WHEN {resident} THEN '[id]' END "
        f"WHEN 15 THEN CASE WHEN regexp_full_match(d, '{_WHOLE_OLD_ID}') THEN '[id]' END "
        f"WHEN 12 THEN CASE WHEN {landline} THEN '[phone]' END "
        f"WHEN 10 THEN CASE WHEN {landline} OR regexp_full_match({as_ascii}, '{_WHOLE_US}') "
        "THEN '[phone]' END END END"
    )
    whole = (
        f"CASE WHEN regexp_full_match(t, '{_WHOLE_EMAIL}') THEN '[email]' "
        f"WHEN regexp_full_match(t, '{_WHOLE_NUMBER}') THEN list_transform("
        f"[regexp_replace(t, '[^0-9Xx]', '', 'g')], lambda d: {number})[1] END"
    )
    return (
        f"CASE WHEN regexp_matches({expr}, '{_MAYBE_WHOLE}') "
        f"THEN list_transform([{text}], lambda t: {whole})[1] END"
    )
