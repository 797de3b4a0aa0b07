"""Mask personal data in free text before it is stored (CONTRACTS.md, *Quarantine rows*).

Masks: ``[email]``, ``[ip]``, ``[phone]``, ``[id]`` (Chinese resident ID: 18 digits with a valid
check digit, or 15 digits) and ``[card]`` (13–19 digits passing the Luhn check). Digits are
delimited by non-digits rather than word boundaries because Chinese characters count as word
characters: ``电话13800138000`` must still be masked.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")
# A run of digits, possibly grouped by single spaces, dashes or a bracketed area code.
_NUMBER = re.compile(r"(?<![\d+])(?:\+|\(\d)?\d(?:[ \-]?\(?\d\)?)*\d[Xx]?(?![\dA-Za-z])")
_DIGIT_RUN = re.compile(r"\d+[Xx]?")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_US_PHONE = re.compile(r"^\(?\d{3}\)?[ \-]\d{3}[ \-]\d{4}$")


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


def _classify(candidate: str) -> str | None:
    """The mask for a number-like string, or ``None`` when it is not personal data."""
    digits = re.sub(r"[^\dXx]", "", candidate)
    if _valid_resident_id(digits):
        return "[id]"
    if not digits.isdigit():
        return None
    n = len(digits)
    if 13 <= n <= 19 and _luhn(digits):
        return "[card]"
    if n == 15 and candidate.isdigit():
        return "[id]"
    plus = candidate.startswith("+")
    if (plus and 8 <= n <= 15) or (n == 11 and re.match(r"1[3-9]", digits)):
        return "[phone]"
    if n == 13 and digits.startswith("861"):
        return "[phone]"
    if digits.startswith("0") and 10 <= n <= 12 and not candidate.isdigit():
        return "[phone]"  # landline with area code, e.g. 010-12345678
    if _US_PHONE.match(candidate):
        return "[phone]"
    return None


def _mask_number(match: re.Match[str]) -> str:
    candidate = match.group(0)
    mask = _classify(candidate)
    if mask:
        return mask
    # The whole run is not PII; a part of it may be ("13800138000 2 times").
    return _DIGIT_RUN.sub(lambda m: _classify(m.group(0)) or m.group(0), candidate)


def mask_text(text: str) -> str:
    """Replace e-mails, IP addresses, phone, ID and card numbers in ``text`` by masks.

    >>> mask_text("联系我 13800138000 或 ann@example.com")
    '联系我 [phone] 或 [email]'
    >>> mask_text("card 4111 1111 1111 1111, waited 45 minutes")
    'card [card], waited 45 minutes'
    """
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _IP.sub("[ip]", text)
    return _NUMBER.sub(_mask_number, text)
