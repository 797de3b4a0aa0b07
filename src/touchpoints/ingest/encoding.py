"""Find the text encoding of a CSV file.

Chinese exports arrive in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), or GBK (Excel's
default "CSV" on a Chinese Windows). GB18030 is a superset of GBK and GB2312, so one decoder
reads all three. UTF-8 is tried first over the whole file, in chunks, because a GBK file can
look like valid UTF-8 for its first kilobytes.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from touchpoints.errors import FileFormatError

_CHUNK = 1 << 22


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_chinese(path: Path) -> bool:
    """Whether the non-ASCII bytes are mostly GB2312 pairs (both bytes A1–FE).

    GB18030 decodes almost any bytes, so a Western file with a few stray high bytes (Excel
    for Mac's curly quotes) would "decode" into odd Chinese characters. Real Chinese text in
    GBK is made almost entirely of such pairs; stray bytes are not.
    """
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    high = len(re.findall(rb"[\x80-\xff]", sample))
    pairs = len(re.findall(rb"[\xa1-\xfe][\xa1-\xfe]", sample))
    return high > 0 and 2 * pairs >= 0.5 * high


def bom_encoding(path: Path) -> str | None:
    """The encoding a byte-order mark at the start of ``path`` declares, if any."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def detect_encoding(path: Path) -> str:
    """A Python codec name that reads ``path`` without errors.

    Order: byte-order marks, then UTF-8, then GB18030, then charset-normalizer's best guess.
    """
    bom = bom_encoding(path)
    if bom:
        return bom
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030") and _looks_chinese(path):
        return "gb18030"
    with path.open("rb") as handle:
        guess = from_bytes(handle.read(1 << 20)).best()
    if guess is None or not _decodes(path, guess.encoding):
        raise FileFormatError(
            f"{path}: cannot tell the text encoding (not UTF-8 or GBK); "
            "set `encoding:` in the mapping"
        )
    return str(guess.encoding)
