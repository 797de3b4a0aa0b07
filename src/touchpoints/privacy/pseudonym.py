"""Keyed pseudonyms for customer identifiers.

The same person must get the same pseudonym from every channel, so identifiers are normalised
before hashing (CONTRACTS.md, *Identity*): trimmed; e-mail lower-cased; phone numbers reduced
to digits with their country code, an 11-digit number starting with 1 read as a Chinese mobile
(+86). The hash is HMAC-SHA256 under the workspace key, so without the key nobody can test
whether a known phone number is in the warehouse.
"""

from __future__ import annotations

import hashlib
import hmac
import re

PSEUDONYM_PATTERN = r"cx_[0-9a-f]{16}"
_PSEUDONYM = re.compile(PSEUDONYM_PATTERN)
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{7,}$")
_NON_DIGIT = re.compile(r"\D")


def is_pseudonym(value: str) -> bool:
    """Whether ``value`` already has the form of a pseudonym (``cx_`` + 16 hex digits)."""
    return _PSEUDONYM.fullmatch(value) is not None


def _normalise_phone(value: str) -> str:
    digits = _NON_DIGIT.sub("", value)
    if value.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    if len(digits) == 13 and digits.startswith("861"):
        return "+" + digits
    return digits


def normalise_identifier(value: str) -> str | None:
    """The canonical spelling of an identifier, or ``None`` when it is blank.

    >>> normalise_identifier(" Ann@Example.COM ")
    'ann@example.com'
    >>> normalise_identifier("138 0013 8000")
    '+8613800138000'
    >>> normalise_identifier("+86-138-0013-8000")
    '+8613800138000'
    """
    text = value.strip()
    if not text:
        return None
    if "@" in text:
        return text.lower()
    if _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
        return _normalise_phone(text)
    return text


def pseudonymise(key: bytes, normalised: str) -> str:
    """``cx_`` + the first 16 hex digits of HMAC-SHA256(key, identifier)."""
    return "cx_" + hmac.digest(key, normalised.encode("utf-8"), hashlib.sha256).hex()[:16]
