"""Fuzzing the doors: readers, mapping files and the model loader meet arbitrary bytes.

Whatever arrives, the answer is a result or a :class:`~touchpoints.errors.TouchpointsError`
with a message (which the command line prints as one line) — never another exception, which
would reach the user as a traceback. Hypothesis generates the inputs: raw bytes, and text that
looks like the format (delimiters, quotes, brackets, BOMs, Chinese, control characters) in
several encodings. Bounded for CI: 60 examples a door, derandomized there; `FUZZ_EXAMPLES=600`
runs a longer search (it found the crashes `docs/security.md` lists).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpoints.errors import TouchpointsError
from touchpoints.ingest.mapping import load_mapping
from touchpoints.ingest.readers import read_file
from touchpoints.model.load import load_model

ALPHABET = st.sampled_from(
    [*",;\t|\"'\n\r{}[]:=-# ", "\ufeff", "\x00", "\u200b", "排队", "é", "０", "1", "a", "null"]
)
TEXTS = st.lists(ALPHABET, max_size=200).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"])


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    """Raw bytes, or format-like text in some encoding."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    return draw(TEXTS).encode(draw(ENCODINGS), errors="replace")


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _survives(call: Callable[[], object]) -> None:
    """The call returns, or raises our error with a message to print; anything else fails."""
    try:
        call()
    except TouchpointsError as exc:
        message = str(exc)
    else:
        message = "returned"
    assert message.strip()


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".csv", "csv"),
        (".json", "json"),
        (".jsonl", "jsonl"),
        (".parquet", "parquet"),
        (".xlsx", "xlsx"),
        (".csv", "qualtrics"),
        (".csv", "surveymonkey"),
    ],
)
@FUZZ
@given(data=payloads())
def test_readers_answer_any_bytes_with_a_result_or_a_clear_error(
    tmp_path: Path, suffix: str, fmt: str, data: bytes
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _survives(lambda: read_file(path, fmt))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "load"), [("fuzz.map.yaml", load_mapping), ("touchpoints.yaml", load_model)]
)
@FUZZ
@given(data=payloads())
def test_mappings_and_models_answer_any_bytes_with_a_result_or_a_clear_error(
    tmp_path: Path, name: str, load: Callable[[Path], object], data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _survives(lambda: load(path))
