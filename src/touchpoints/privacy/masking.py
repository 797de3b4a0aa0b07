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
# A run of digits, possibly grouped by single spaces or dashes or a bracketed area code.
_NUMBER = re.compile(r"(?<![\d+])(?:\+|\()?\d(?:[ \-]?\(?\d\)?)*[Xx]?(?!\d)")
# Groups of a run: each separator starts a new group ("138 0013 8000" → 138, " 0013", " 8000").
_GROUP_SPLIT = re.compile(r"(?<=[\d)])(?=[ \-])")
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
    # International forms first: a card number never starts with + or 00.
    if candidate.startswith("+") and 8 <= n <= 15:
        return "[phone]"
    if digits.startswith("00") and 10 <= n <= 17:
        return "[phone]"
    if re.fullmatch(r"(86)?1[3-9]\d{9}", digits):
        return "[phone]"
    if 13 <= n <= 19 and _luhn(digits):
        return "[card]"
    if n == 15 and candidate.isdigit():
        return "[id]"
    if digits.startswith("0") and 10 <= n <= 12 and not candidate.isdigit():
        return "[phone]"  # landline with area code, e.g. 010-12345678
    if _US_PHONE.match(candidate):
        return "[phone]"
    return None


def _mask_number(match: re.Match[str]) -> str:
    """Mask the longest runs of groups that are personal data, leftmost first.

    A run may join a phone number to a neighbouring number ("2 138 0013 8000"), so every
    slice of whole groups is tried, not only the run as it stands.
    """
    groups = _GROUP_SPLIT.split(match.group(0))
    out: list[str] = []
    i = 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            text = "".join(groups[i:j])
            body = text.lstrip(" -")
            mask = _classify(body)
            if mask:
                out.append(text[: len(text) - len(body)] + mask)
                i = j
                break
        else:
            out.append(groups[i])
            i += 1
    return "".join(out)


def _mask_once(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _IP.sub("[ip]", text)
    return _NUMBER.sub(_mask_number, text)


def mask_text(text: str) -> str:
    """Replace e-mails, IP addresses, phone, ID and card numbers in ``text`` by masks.

    Masking repeats until nothing changes, so items that touch ("…002X13800138000") are all
    masked and masking a masked text changes nothing.

    >>> mask_text("联系我 13800138000 或 ann@example.com")
    '联系我 [phone] 或 [email]'
    >>> mask_text("card 4111 1111 1111 1111, waited 45 minutes")
    'card [card], waited 45 minutes'
    """
    if not text:
        return text
    for _ in range(4):
        masked = _mask_once(text)
        if masked == text:
            break
        text = masked
    return text
