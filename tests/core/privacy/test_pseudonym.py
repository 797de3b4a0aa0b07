"""Identifiers are normalised, then hashed with HMAC-SHA256 under the workspace key."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoints.core.privacy import (
    PSEUDONYM_PATTERN,
    is_pseudonym,
    normalise_identifier,
    pseudonymise,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def expected_pseudonym(key: bytes, value: str) -> str:
    return "cx_" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


# --- normalise_identifier --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ann@Example.COM ", "ann@example.com"),
        ("ANN.LEE+CX@MAIL.EXAMPLE.CN", "ann.lee+cx@mail.example.cn"),
        ("\tann@example.com\n", "ann@example.com"),
    ],
)
def test_normalise_trims_and_lowercases_emails(raw: str, expected: str) -> None:
    assert normalise_identifier(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        " 13800138000 ",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 13800138000",
        "+86 138-0013-8000",
        "+86-138-0013-8000",
        "008613800138000",
        "0086 138 0013 8000",
        "8613800138000",
    ],
)
def test_normalise_gives_one_spelling_for_a_chinese_mobile(raw: str) -> None:
    assert normalise_identifier(raw) == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("0044 20 7946 0958", "+442079460958"),
        ("010-12345678", "01012345678"),
    ],
)
def test_normalise_reduces_other_phones_to_digits_with_country_code(
    raw: str, expected: str
) -> None:
    assert normalise_identifier(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", "\t\n", "\u3000"])
def test_normalise_gives_none_for_blank(raw: str) -> None:
    assert normalise_identifier(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  CUST-0042 ", "CUST-0042"),
        ("wx_openid_AbC123", "wx_openid_AbC123"),
        ("M-1", "M-1"),
        ("12345", "12345"),
        ("会员 张三", "会员 张三"),
    ],
)
def test_normalise_keeps_other_identifiers_apart_from_trimming(raw: str, expected: str) -> None:
    assert normalise_identifier(raw) == expected


identifier_text = st.text(alphabet=st.sampled_from(list("0123456789 -+().@aBX\t_中")), max_size=25)


@given(identifier_text)
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise_identifier(raw)
    if once is not None:
        assert normalise_identifier(once) == once


# --- pseudonymise ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["+8613800138000", "ann@example.com", "CUST-0042", "张三"])
def test_pseudonym_is_cx_and_16_hex_of_hmac_sha256(value: str) -> None:
    assert pseudonymise(KEY, value) == expected_pseudonym(KEY, value)


@given(st.binary(min_size=1, max_size=64), st.text(min_size=1))
def test_pseudonym_matches_hmac_for_any_key_and_value(key: bytes, value: str) -> None:
    assert pseudonymise(key, value) == expected_pseudonym(key, value)


@pytest.mark.parametrize(
    "spellings",
    [
        ["13800138000", "138 0013 8000", "+86 138-0013-8000", "0086 13800138000"],
        ["ann@example.com", " Ann@Example.COM", "ANN@EXAMPLE.COM "],
    ],
)
def test_spellings_of_one_identifier_get_one_pseudonym(spellings: list[str]) -> None:
    pseudonyms = set()
    for raw in spellings:
        normal = normalise_identifier(raw)
        assert normal is not None
        pseudonyms.add(pseudonymise(KEY, normal))
    assert len(pseudonyms) == 1


def test_different_identifiers_get_different_pseudonyms() -> None:
    assert pseudonymise(KEY, "+8613800138000") != pseudonymise(KEY, "+8613800138001")


def test_different_keys_give_different_pseudonyms() -> None:
    assert pseudonymise(KEY, "+8613800138000") != pseudonymise(OTHER_KEY, "+8613800138000")


def test_pseudonym_does_not_contain_the_identifier() -> None:
    assert "13800138000" not in pseudonymise(KEY, "+8613800138000")


# --- is_pseudonym ----------------------------------------------------------------------------


@given(st.binary(max_size=32), st.text())
def test_every_pseudonym_is_recognised(key: bytes, value: str) -> None:
    p = pseudonymise(key, value)
    assert is_pseudonym(p)
    assert re.match(PSEUDONYM_PATTERN, p)


@pytest.mark.parametrize(
    "value",
    [
        "cx_0123456789ABCDEF",  # upper-case hex
        "cx_0123456789abcde",  # 15 hex digits
        "cx_0123456789abcdef0",  # 17 hex digits
        "CX_0123456789abcdef",
        " cx_0123456789abcdef",
        "cx_0123456789abcdeg",
        "0123456789abcdef",
        "",
    ],
)
def test_other_strings_are_not_pseudonyms(value: str) -> None:
    assert not is_pseudonym(value)


def test_pseudonym_with_trailing_newline_is_not_a_pseudonym() -> None:
    assert not is_pseudonym("cx_0123456789abcdef\n")
