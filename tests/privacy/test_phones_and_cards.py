"""Mobile numbers, landlines and bank card numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import BANK_CARD, LANDLINE, MOBILE, find, luhn_valid, mask

from .conftest import bank_cards, luhn_ok, mobiles

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("1381234 5678", "138**** 5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("+8613812345678", "+86138****5678"),
        ("86-13812345678", "86-138****5678"),
        ("8613812345678", "86138****5678"),
        ("0086 19912345678", "0086 199****5678"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
    ],
)
def test_mobile_formats(written, masked):
    text = f"请回电{written}，谢谢"
    assert [(f.kind, f.text) for f in find(text)] == [(MOBILE, written)]
    assert mask(text) == f"请回电{masked}，谢谢"


@pytest.mark.parametrize(
    "text",
    ["12812345678", "1381234567", "138123456789", "10012345678", "12333", "12345", "13812345678.50元"],
    ids=["12x prefix", "10 digits", "12 digits", "100 prefix", "hotline", "12345 hotline", "amount"],
)
def test_not_mobile_numbers(text):
    assert find(text) == []
    assert mask(text) == text


@SETTINGS
@given(mobiles, st.sampled_from(["", "手机", "电话:", "打"]), st.sampled_from(["", "找我", "。"]))
def test_every_mobile_number_is_found(number, before, after):
    [finding] = find(before + number + after)
    assert (finding.kind, finding.start, finding.text) == (MOBILE, len(before), number)
    assert mask(before + number + after) == f"{before}{number[:3]}****{number[7:]}{after}"


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("0532-82345678", "0532-****5678"),
        ("0532 82345678", "0532 ****5678"),
        ("053282345678", "0532****5678"),
        ("(0532)82345678", "(0532)****5678"),
        ("（0532）82345678", "（0532）****5678"),
        ("0532-8591-2345", "0532-****-2345"),
        ("010-62345678", "010-****5678"),
        ("021 5234 5678", "021 **** 5678"),
        ("0535-6234567", "0535-***4567"),
    ],
)
def test_landline_formats(written, masked):
    text = f"座机{written}白天有人"
    assert [(f.kind, f.text) for f in find(text)] == [(LANDLINE, written)]
    assert mask(text) == f"座机{masked}白天有人"


@pytest.mark.parametrize(
    "text", ["0532-12333", "0532-12345678", "0532-0234567", "0532-123", "05328234567890", "2026-11-27"]
)
def test_not_landlines(text):
    assert find(text) == []


def test_known_card_numbers():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert [(f.kind, f.text) for f in find("卡号4111111111111111")] == [(BANK_CARD, "4111111111111111")]
    assert mask("卡号4111111111111111") == "卡号************1111"


@SETTINGS
@given(bank_cards, st.sampled_from(["", "卡号", "银行卡："]))
def test_every_luhn_valid_card_number_is_found_and_keeps_last_four(number, before):
    assert 16 <= len(number) <= 19 and luhn_ok(number)
    kinds = [f.kind for f in find(before + number)]
    # An 18-digit number that is also a valid ID number is reported as one (both are masked).
    assert kinds == [BANK_CARD] or (len(number) == 18 and kinds == ["id_number"])
    if kinds == [BANK_CARD]:
        assert mask(before + number) == before + "*" * (len(number) - 4) + number[-4:]


def test_a_card_number_in_groups_of_four_is_found():
    number = "6222" "0212" "3456" "7890" "12"
    number += next(d for d in "0123456789" if luhn_ok(number + d))
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    text = f"卡号 {grouped} 被冻结"
    assert [(f.kind, f.text) for f in find(text)] == [(BANK_CARD, grouped)]
    assert mask(text) == f"卡号 **** **** **** ***{number[15]} {number[16:]} 被冻结"


@SETTINGS
@given(bank_cards, st.data())
def test_a_corrupted_card_number_is_not_a_card(number, data):
    position = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    corrupted = number[:position] + replacement + number[position + 1:]
    assert not luhn_valid(corrupted)
    assert BANK_CARD not in [f.kind for f in find(f"卡号{corrupted}")]
