"""mask_text: personal data in free text becomes [email], [ip], [phone], [id] or [card].

Check digits and Luhn sums are computed here independently of the code under test.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoints.core.privacy import mask_text

# --- independent helpers ---------------------------------------------------------------------

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2 weights, 7 9 10 5 …


def id_check_char(base17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a 17-digit resident ID body."""
    remainder = sum(int(d) * w for d, w in zip(base17, ID_WEIGHTS, strict=True)) % 11
    value = (12 - remainder) % 11
    return "X" if value == 10 else str(value)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    """``body`` followed by the digit that makes it pass Luhn."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def valid_id(base17: str) -> str:
    return base17 + id_check_char(base17)


def wrong_id_failing_luhn(base17: str) -> str:
    """18 digits whose last digit is neither the ID check digit nor a Luhn completion."""
    good = id_check_char(base17)
    return next(base17 + d for d in "0123456789" if d != good and not luhn_ok(base17 + d))


def test_helpers_agree_with_published_examples() -> None:
    assert ID_WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert id_check_char("11010519491231002") == "X"  # GB 11643 example 11010519491231002X
    assert luhn_ok("4111111111111111")  # Visa test number
    assert luhn_ok("378282246310005")  # Amex test number
    assert not luhn_ok("4111111111111112")


# --- what is masked --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ann@example.com", "[email]"),
        ("write to Ann.Lee+cx@mail.example.co.uk now", "write to [email] now"),
        ("邮箱ann_lee@qq.com谢谢", "邮箱[email]谢谢"),
    ],
)
def test_masks_email_addresses(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.168.1.1", "[ip]"),
        ("from 10.0.0.255, again", "from [ip], again"),
        ("server 8.8.8.8:53 down", "server [ip]:53 down"),
        ("地址255.255.255.0不对", "地址[ip]不对"),
    ],
)
def test_masks_ipv4_addresses(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_does_not_mask_dotted_numbers_with_an_octet_over_255_as_ip() -> None:
    assert "[ip]" not in mask_text("version 256.1.1.1")


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "19912345678",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 13800138000",
        "+86-138-0013-8000",
        "+86 138 0013 8000",
    ],
)
def test_masks_chinese_mobile_in_any_spelling(phone: str) -> None:
    assert mask_text(f"call me on {phone} please") == "call me on [phone] please"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13800138000谢谢", "电话[phone]谢谢"),
        ("联系我 13800138000 或 ann@example.com", "联系我 [phone] 或 [email]"),
        ("手机：139-1234-5678。", "手机：[phone]。"),
    ],
)
def test_masks_mobile_directly_next_to_chinese_characters(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "phone", ["+1 (555) 123-4567", "+44 20 7946 0958", "(555) 123-4567", "555-123-4567"]
)
def test_masks_international_phone_numbers(phone: str) -> None:
    assert mask_text(f"tel {phone} ok") == "tel [phone] ok"


@pytest.mark.parametrize("phone", ["010-12345678", "0755-12345678", "(010) 12345678"])
def test_masks_landlines_with_area_code(phone: str) -> None:
    assert mask_text(f"座机 {phone}") == "座机 [phone]"


@pytest.mark.parametrize(
    "resident_id",
    [
        "11010519491231002X",
        "11010519491231002x",
        valid_id("44030419900307123"),
        valid_id("32010219851230001"),
    ],
)
def test_masks_18_char_resident_id_with_valid_check_digit(resident_id: str) -> None:
    assert mask_text(f"身份证 {resident_id} 已登记") == "身份证 [id] 已登记"


def test_masks_15_digit_resident_id() -> None:
    old_id = "110105491231002"
    assert not luhn_ok(old_id)  # otherwise it would (rightly) read as a card
    assert mask_text(f"身份证{old_id}") == "身份证[id]"


@pytest.mark.parametrize(
    "card",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5500 0000 0000 0004",
        "378282246310005",
        luhn_complete("422222222222"),  # 13 digits
        luhn_complete("622202123456789012"),  # 19 digits
    ],
)
def test_masks_luhn_valid_card_numbers(card: str) -> None:
    assert mask_text(f"card {card}, thanks") == "card [card], thanks"


def test_masks_only_the_personal_part_of_a_longer_number_run() -> None:
    assert mask_text("13800138000 2 times") == "[phone] 2 times"


def test_masks_several_kinds_in_one_text() -> None:
    text = "ann@example.com 从 10.1.2.3 打 13800138000, 卡 4111111111111111, 证 11010519491231002X"
    assert mask_text(text) == "[email] 从 [ip] 打 [phone], 卡 [card], 证 [id]"


# --- what is kept ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "waited 45 minutes",
        "price 1299.00",
        "2025-05-04",
        "2025-05-04 10:30",
        "10 - 15 minutes",
        "排队等了30分钟, 评分 9",
        "order 20250504123",
        wrong_id_failing_luhn("11010519491231002"),
        wrong_id_failing_luhn("44030419900307123"),
        "4111111111111112",  # 16 digits failing Luhn
        luhn_complete("12345678901"),  # Luhn-valid but only 12 digits
        luhn_complete("1234567890123456789"),  # Luhn-valid but 20 digits
    ],
)
def test_keeps_ordinary_numbers(text: str) -> None:
    assert mask_text(text) == text


def test_wrong_id_examples_really_are_wrong() -> None:
    number = wrong_id_failing_luhn("11010519491231002")
    assert len(number) == 18
    assert number[-1] != "X"
    assert not luhn_ok(number)


# --- numbers that touch letters or other numbers -----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000abc", "[phone]abc"),
        ("电话:13800138000OK", "电话:[phone]OK"),
        ("call 13800138000thanks", "call [phone]thanks"),
    ],
)
def test_masks_mobile_followed_directly_by_ascii_letters(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 138 0013 8000", "2 [phone]"),
        ("call 138 0013 8000 24 hours", "call [phone] 24 hours"),
        ("买了12 138-0013-8000", "买了12 [phone]"),
        ("5 4111 1111 1111 1111", "5 [card]"),
        ("电话 010-12345678 13800138000", "电话 [phone] [phone]"),
        ("card 4111 1111 1111 1111 13800138000", "card [card] [phone]"),
    ],
)
def test_masks_grouped_number_next_to_another_number(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_masks_mobile_with_0086_prefix_and_spaces() -> None:
    assert mask_text("tel 0086 138 0013 8000") == "tel [phone]"


def test_masks_plus_86_mobile_as_phone_even_when_its_digits_pass_luhn() -> None:
    assert luhn_ok("8613800138002")
    assert mask_text("tel +86 13800138002") == "tel [phone]"


def test_masks_grouped_card_whose_last_group_is_a_single_digit() -> None:
    card = luhn_complete("400000000000")
    grouped = f"{card[:4]} {card[4:8]} {card[8:12]} {card[12]}"
    assert mask_text(f"card {grouped} ok") == "card [card] ok"


def test_masks_an_id_ending_in_x_and_a_mobile_that_touch_in_one_call() -> None:
    assert mask_text("11010519491231002X13800138000") == "[id][phone]"


# --- edge cases found in review ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["call 13800138000Xiaomi", "电话13800138000x先生"])
def test_masks_mobile_followed_directly_by_an_x(text: str) -> None:
    assert "13800138000" not in mask_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "booked 2025-05-01 2025-05-02",
        "2025-05-04 2025-05-05 2025-05-06",
        "10-15 20-25 30-35 40-45 50",
        "100 200 300 400 500 600 700",
    ],
)
def test_keeps_lists_of_dates_and_numbers(text: str) -> None:
    assert mask_text(text) == text


def test_masks_a_long_run_of_small_numbers_quickly() -> None:
    scores = " ".join(["5"] * 500)  # a pasted row of scores
    start = time.perf_counter()
    mask_text(scores)
    assert time.perf_counter() - start < 0.3


def test_masking_is_idempotent_for_many_touching_items() -> None:
    text = "11010519491231002X" * 4 + "13800138000"
    once = mask_text(text)
    assert mask_text(once) == once


# --- properties ------------------------------------------------------------------------------


@st.composite
def chinese_mobiles(draw: st.DrawFn) -> str:
    """A Chinese mobile number in one of the spellings people write."""
    number = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
    sep = draw(st.sampled_from(["", " ", "-"]))
    body = sep.join([number[:3], number[3:7], number[7:]]) if sep else number
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "+86-"]))
    return prefix + body


resident_ids = st.from_regex(r"[1-6][0-9]{16}", fullmatch=True).map(valid_id)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.from_regex(rf"[2-6][0-9]{{{length - 2}}}", fullmatch=True))  # real IINs
    number = luhn_complete(body)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


ipv4s = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
emails = st.from_regex(r"[a-z][a-z0-9._]{0,8}@[a-z]{1,8}\.(com|cn|org)", fullmatch=True)
dates = st.dates().map(str)
plain_numbers = st.one_of(
    st.integers(0, 10**6).map(str), st.decimals(0, 10**5, places=2).map(str), dates
)
words = st.sampled_from(["waited", "minutes", "price", "ok", "电话", "客服", "谢谢", "订单", "元"])
char_soup = st.text(alphabet="0123456789 -+().@xX,:abc电话", max_size=20)
separators = st.sampled_from([" ", ", ", "，", "。", "\n", " - ", "：", "; ", " 和 "])

messy_texts = st.lists(
    st.tuples(
        st.one_of(
            words,
            plain_numbers,
            char_soup,
            chinese_mobiles(),
            resident_ids,
            card_numbers(),
            ipv4s,
            emails,
        ),
        separators,
    ),
    max_size=8,
).map(lambda parts: "".join(token + sep for token, sep in parts))


@given(messy_texts)
def test_masking_is_idempotent(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# No digits: they would change the number.
latin = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
around = st.text(
    alphabet=st.one_of(cjk, latin, st.sampled_from(list(" ,.!?:;，。！？：（）()-"))), max_size=12
)


@given(around, chinese_mobiles(), around)
def test_mobile_digits_never_survive_in_chinese_or_english_text(
    prefix: str, phone: str, suffix: str
) -> None:
    masked = mask_text(prefix + phone + suffix)
    assert not re.search(r"[0-9]", masked), masked


@given(resident_ids, st.booleans())
def test_any_resident_id_with_valid_check_digit_is_masked(resident_id: str, lower: bool) -> None:
    if lower:
        resident_id = resident_id.lower()
    assert mask_text(f"证件 {resident_id} 谢谢") == "证件 [id] 谢谢"


@given(card_numbers())
def test_any_luhn_valid_card_number_is_masked(card: str) -> None:
    # 18 digits in a row with a valid check digit read as a resident ID; grouped in fours
    # they are written as a card.
    is_id = card.isdigit() and len(card) == 18 and id_check_char(card[:17]) == card[17]
    expected = "[id]" if is_id else "[card]"
    assert mask_text(f"card {card} ok") == f"card {expected} ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(13800138000)", "([phone])"),
        ("(call 13800138000)", "(call [phone])"),
        ("电话13000000000)", "电话[phone])"),
        ("座机(010) 12345678)", "座机[phone])"),
        ("(11010519491231002X)", "([id])"),
    ],
)
def test_brackets_around_a_number_stay_outside_the_mask(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(+86)13800138000", "[phone]"),
        ("电话(+86)138 0013 8000谢谢", "电话[phone]谢谢"),
        ("(+1)5551234567", "[phone]"),
        ("电话１３８００１３８０００", "电话[phone]"),  # full-width digits of a Chinese IME
        ("等了３０分钟", "等了３０分钟"),  # nothing to mask: the text is left as written
    ],
)
def test_bracketed_country_codes_and_full_width_digits(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 139.1234.5678 now", "call [phone] now"),
        ("139_1234_5678", "[phone]"),
        ("电话139—1234—5678", "电话[phone]"),
        ("139–1234–5678", "[phone]"),
        ("office (010) 1234-5678", "office [phone]"),
        ("office 010 12345678", "office [phone]"),
        ("写信 ann＠example.com", "写信 [email]"),
        ("１３９．１２３４．５６７８", "[phone]"),
    ],
)
def test_masks_the_spellings_issue_15_found_unmasked(text: str, expected: str) -> None:
    """Separators of any kind (dots, underscores, long dashes), a bracketed or spaced area
    code, and the full-width ＠ were stored verbatim."""
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["version 3.5.1", "booked 2025.05.04", "2025_05_04 report", "score 4.5 of 5", "1.299,00 元"],
)
def test_keeps_dotted_and_underscored_ordinary_numbers(text: str) -> None:
    assert mask_text(text) == text
