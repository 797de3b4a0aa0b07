"""The detector meets the spellings issue 15 found, and whole values that are personal data.

``mask_text`` masks phone numbers grouped by any separator, full-width IDs and numbers or
addresses hidden by invisible characters. ``personal_value`` says whether a value as a whole
(a record id) is a phone number, an e-mail address or an ID number; its engine twin agrees
with it value for value. ``record_pseudonym`` is what is stored in place of such an id.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from touchpoints.core.privacy import (
    mask_text,
    normalise_identifier,
    personal_value,
    personal_value_sql,
    pseudonymise,
    record_pseudonym,
)

KEY = bytes(range(32))
CON = duckdb.connect()


@pytest.mark.parametrize(
    "phone",
    [
        "139\u00a01234\u00a05678",  # no-break spaces
        "139\u30001234\u30005678",  # ideographic spaces
        "139\u20121234\u20125678",  # figure dashes
        "139\u22121234\u22125678",  # minus signs
        "+86\u00a0139\u00a01234\u00a05678",
        "(010)\u00a01234-5678",
        "1\u200b3\u200b8\u200b0\u200b0\u200b1\u200b3\u200b8\u200b0\u200b0\u200b0",
    ],
)
def test_masks_phone_numbers_grouped_by_any_separator_or_split_by_invisible_characters(
    phone: str,
) -> None:
    assert mask_text(f"电话{phone}谢谢") == "电话[phone]谢谢"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("证件１１０１０５１９４９１２３１００２Ｘ", "证件[id]"),  # full-width digits and Ｘ
        ("邮箱ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱[email]"),  # a full-width address
        ("ann\u200b@example.com", "[email]"),  # a zero-width space before the @
    ],
)
def test_masks_full_width_and_hidden_items(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_keeps_invisible_characters_that_hide_nothing() -> None:
    """A zero-width joiner inside an emoji family stays where nothing is masked; full-width
    sentence punctuation stays too."""
    text = "全家\U0001f468\u200d\U0001f469\u200d\U0001f467都满意，谢谢！"
    assert mask_text(text) == text


# --- whole values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "[phone]"),
        ("138.0013.8000", "[phone]"),
        ("+86 138-0013-8000", "[phone]"),
        ("0086 138 0013 8000", "[phone]"),
        ("(+86)13800138000", "[phone]"),
        ("１３８００１３８０００", "[phone]"),
        (" 13800138000\u200b", "[phone]"),  # trimmed, the invisible character removed
        ("(010) 1234-5678", "[phone]"),
        ("0755 12345678", "[phone]"),
        ("+1 555 123 4567", "[phone]"),
        ("(555) 123-4567", "[phone]"),
        ("Ann.Lee@Example.COM", "[email]"),
        ("ann＠example.cn", "[email]"),
        ("11010519491231002X", "[id]"),  # GB 11643's example: check character X
        ("110105 19491231 002x", "[id]"),
        ("１１０１０５１９４９１２３１００２Ｘ", "[id]"),
        ("110105491231002", "[id]"),  # 15 digits: region 110105, born 49-12-31
    ],
)
def test_a_whole_phone_number_address_or_id_number_is_personal(value: str, expected: str) -> None:
    assert personal_value(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "R1",
        "O-20250504-0001",
        "2025-0504-01",  # ten digits, but not written as a phone number
        "20250504123",  # eleven digits not starting 1[3-9] nor 0
        "11010519491231002",  # seventeen digits: an ID lacks its check character
        "110105194912310021",  # eighteen, the wrong check digit (X is right)
        "110105491331002",  # fifteen digits whose birth month would be 13
        "4111111111111111",  # a card number: no shop numbers records by card
        "1234567890123456789",
        "ann@example",  # no top-level domain
        "13800138000-2",  # holds a phone number, but is not one
        "h_0123456789abcdef",
        "",
    ],
)
def test_other_ids_are_not_personal(value: str) -> None:
    assert personal_value(value) is None


def _sql(value: str | None) -> str | None:
    found: str | None = CON.execute(f"SELECT {personal_value_sql('$1')}", [value]).fetchone()[0]
    return found


@st.composite
def phone_like(draw: st.DrawFn) -> str:
    """Digit runs of the lengths the rules dispatch on, grouped and prefixed at random."""
    digits = draw(st.from_regex(r"[0-9]{8,19}[0-9Xx]?", fullmatch=True))
    sep = draw(st.sampled_from(["", " ", "-", ".", "\u2014", "\u00a0"]))
    cut = draw(st.integers(1, len(digits) - 1))
    prefix = draw(st.sampled_from(["", "+", "+86 ", "0086", "(", "(+86)"]))
    return prefix + digits[:cut] + sep + digits[cut:]


values = st.one_of(
    phone_like(),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"[1-6][0-9]{16}[0-9Xx]", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9._]{1,6}[@＠][a-z]{1,5}\.(com|cn)", fullmatch=True),
    st.text(alphabet="0123456789０１３８ +-().@xX_a\u200b\u3000\u00a0", max_size=22),
)


@settings(deadline=None)  # the first call compiles the expression
@given(values)
# An ID number behind a "+": not a phone (18 digits), so on to the ID rules, in both.
@example("+785698908885087927")
def test_the_engine_reads_whole_values_as_python_does(value: str) -> None:
    assert _sql(value) == personal_value(value)


@given(values)
def test_a_whole_value_masked_as_one_phone_email_or_id_is_personal(value: str) -> None:
    """personal_value takes every whole value mask_text masks as one phone number, e-mail
    address or ID number, but for a 15-digit number without a birth date: in a comment any
    15 digits are masked as an old ID, while as a record id they are most likely an order
    number."""
    masked = mask_text(value.strip())
    old_id = re.fullmatch(r"[0-9]{15}", value.strip())
    if masked in ("[phone]", "[email]", "[id]") and not (old_id and masked == "[id]"):
        assert personal_value(value) == masked


def test_the_engine_passes_missing_values_over() -> None:
    assert _sql(None) is None


# --- record pseudonyms -----------------------------------------------------------------------


def test_a_record_pseudonym_is_the_keyed_hash_of_the_normalised_id() -> None:
    """HMAC-SHA256 computed here with the standard library over "record id:" and the
    normalised number, independently of the code under test."""
    expected = hmac.new(KEY, b"record id:+8613800138000", hashlib.sha256).hexdigest()[:16]
    assert record_pseudonym(KEY, "13800138000") == "id_" + expected


def test_one_number_in_any_spelling_is_one_record() -> None:
    spellings = ["13800138000", "+86 138-0013-8000", "１３８ ００１３ ８０００", "138.0013.8000"]
    assert len({record_pseudonym(KEY, s) for s in spellings}) == 1


def test_a_record_pseudonym_does_not_show_the_customer_it_belongs_to() -> None:
    """An order numbered by its customer's phone: the two pseudonyms share nothing."""
    customer = pseudonymise(KEY, normalise_identifier("13800138000") or "")
    order = record_pseudonym(KEY, "13800138000")
    assert customer[3:] != order[3:]
