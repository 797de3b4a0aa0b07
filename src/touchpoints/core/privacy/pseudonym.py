"""Keyed pseudonyms for customer identifiers.

The same person must get the same pseudonym from every channel, so identifiers are normalised
before hashing (CONTRACTS.md, *Identity*): folded (invisible characters such as zero-width
spaces removed, full-width forms ``１３８`` and ``＠`` read as ASCII, Unicode NFC so that composed
and decomposed ``é`` agree); trimmed; e-mail lower-cased; phone numbers reduced to digits with
their country code, an 11-digit number starting with 1 read as a Chinese mobile (+86). The
fold is the part of NFKC that identifiers meet, written so the engine computes it exactly
as Python does. The hash is HMAC-SHA256 under the workspace key, so without the key nobody can test
whether a known phone number is in the warehouse.

Ingestion computes pseudonyms in the engine (:func:`pseudonym_sql`); the Python functions
are the reference it is tested against, and serve single values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

PSEUDONYM_PATTERN = r"cx_[0-9a-f]{16}"
_PSEUDONYM = re.compile(PSEUDONYM_PATTERN)
# Explicit classes, so that Python and DuckDB's RE2 read identifiers the same way. Spaces
# include the ideographic space (U+3000) of Chinese input methods and the no-break space.
_SPACE = " \t\n\r\f\v\u3000\u00a0"
_SPACE_RE2 = r" \t\n\r\f\v\x{3000}\x{00a0}"
_PHONE_LIKE = re.compile(rf"\+?[0-9{_SPACE}\-().]{{7,}}")
_NON_DIGIT = re.compile(r"[^0-9]")


# Characters that show nothing but make two spellings differ: soft hyphen, zero-width space,
# joiners, direction marks and isolates, word joiner, byte-order mark …
INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d"
    "\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# Full-width ASCII (U+FF01–U+FF5E) as typed by Chinese input methods, and its ASCII twin.
_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))
_FOLD = str.maketrans(_FULL_WIDTH, _ASCII, INVISIBLE)


def fold(value: str) -> str:
    """Invisible characters removed, full-width ASCII as ASCII, then Unicode NFC.

    >>> fold("１３８００１３８０００") == "13800138000"
    True
    >>> fold("ann\u200b＠example.com")
    'ann@example.com'
    >>> fold("Jose\u0301") == fold("Jos\u00e9")
    True
    """
    return unicodedata.normalize("NFC", value.translate(_FOLD))


def fold_sql(expr: str) -> str:
    """:func:`fold` as a DuckDB expression over the text ``expr``.

    ASCII text is its own fold, and nearly every id is ASCII: only the others pay for the
    three functions (1.6 s per million values, against nothing for the check).
    """
    invisible = "".join(f"\\x{{{ord(c):04x}}}" for c in INVISIBLE)
    removed = f"regexp_replace({expr}, '[{invisible}]', '', 'g')"
    ascii_text = _ASCII.replace("'", "''")
    folded = f"nfc_normalize(translate({removed}, '{_FULL_WIDTH}', '{ascii_text}'))"
    return f"CASE WHEN regexp_matches({expr}, '[^\\x00-\\x7f]') THEN {folded} ELSE {expr} END"


def is_pseudonym(value: str) -> bool:
    """Whether ``value`` already has the form of a pseudonym (``cx_`` + 16 hex digits)."""
    return value.startswith("cx_") and _PSEUDONYM.fullmatch(value) is not None


def _normalise_phone(value: str, digits: str) -> str:
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
    >>> normalise_identifier("１３８００１３８０００")
    '+8613800138000'
    """
    text = fold(value).strip(_SPACE)
    if not text:
        return None
    if "@" in text:
        return text.lower()
    if _PHONE_LIKE.fullmatch(text):
        digits = _NON_DIGIT.sub("", text)
        if len(digits) >= 7:
            return _normalise_phone(text, digits)
    return text


def pseudonymise(key: bytes, normalised: str) -> str:
    """``cx_`` + the first 16 hex digits of HMAC-SHA256(key, identifier)."""
    return "cx_" + hmac.digest(key, normalised.encode("utf-8"), hashlib.sha256).hex()[:16]


def normalise_sql(expr: str) -> str:
    """:func:`normalise_identifier` as a DuckDB expression over the text ``expr``."""
    text = f"regexp_replace({fold_sql(expr)}, '^[{_SPACE_RE2}]+|[{_SPACE_RE2}]+$', '', 'g')"
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    phone = (
        f"CASE WHEN starts_with({text}, '+') THEN '+' || {digits} "
        f"WHEN starts_with({digits}, '00') THEN '+' || {digits}[3:] "
        f"WHEN length({digits}) = 11 AND starts_with({digits}, '1') THEN '+86' || {digits} "
        f"WHEN length({digits}) = 13 AND starts_with({digits}, '861') THEN '+' || {digits} "
        f"ELSE {digits} END"
    )
    return (
        f"CASE WHEN {text} = '' THEN NULL "
        f"WHEN contains({text}, '@') THEN lower({text}) "
        f"WHEN regexp_full_match({text}, '\\+?[0-9{_SPACE_RE2}\\-().]{{7,}}') "
        f"AND length({digits}) >= 7 THEN {phone} "
        f"ELSE {text} END"
    )


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 (RFC 2104) for a key of ≤ 64 bytes."""
    if len(key) > 64:
        raise ValueError("pseudonym keys are at most 64 bytes")
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def pseudonym_sql(normalised: str, inner: str, outer: str) -> str:
    """:func:`pseudonymise` as a DuckDB expression: HMAC-SHA256 from two SHA-256 calls.

    ``inner`` and ``outer`` are SQL expressions (parameters) holding :func:`hmac_pads`.
    """
    digest = f"sha256({outer} || unhex(sha256({inner} || encode({normalised}))))"
    return f"'cx_' || {digest}[1:16]"


# Hashed before a record id, so that the id of an order numbered by its customer's phone and
# that customer's pseudonym differ: the warehouse does not show whose number the order bears.
_RECORD = "record id:"


def record_pseudonym(key: bytes, value: str) -> str:
    """What is stored in place of a record id that is personal data
    (:func:`~touchpoints.core.privacy.masking.personal_value`): ``id_`` + the first 16 hex
    digits of HMAC-SHA256(key, ``record id:`` + the id normalised as an identifier). One
    number in any spelling is one record.
    """
    normalised = normalise_identifier(value) or ""
    return "id_" + pseudonymise(key, _RECORD + normalised)[3:]
