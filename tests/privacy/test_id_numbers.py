"""Resident ID numbers: GB 11643 check character, birth date, 15-digit numbers, the "maybe" rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import get_clock, local_day
from bot.privacy import (
    BANK_CARD,
    ID_NUMBER,
    MAYBE_ID_NUMBER,
    Finding,
    find,
    id_check_char,
    is_valid_id_number,
    mask,
)

from .conftest import check_char, luhn_ok, make_id, valid_ids

SETTINGS = settings(max_examples=60, deadline=None)


def test_the_standards_example_is_valid():
    # GB 11643-1999's worked example, check character X (also in lower case).
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")
    assert id_check_char("11010519491231002") == "X"


@SETTINGS
@given(st.text("0123456789", min_size=17, max_size=17))
def test_check_char_follows_the_algorithm(body):
    assert id_check_char(body) == check_char(body)


@SETTINGS
@given(valid_ids, st.sampled_from(["", "我的身份证", "身份证号：", "ID ", "证件号码是"]),
       st.sampled_from(["", "，谢谢", "。", " 电话打不通"]))
def test_every_valid_id_is_found_and_masked(number, before, after):
    text = before + number + after
    assert is_valid_id_number(number)
    assert find(text) == [Finding(ID_NUMBER, len(before), len(before) + 18, number)]
    assert mask(text) == before + number[:6] + "*" * 8 + number[-4:] + after


@SETTINGS
@given(valid_ids, st.data())
def test_no_single_character_corruption_is_a_valid_id(number, data):
    position = data.draw(st.integers(0, 17), label="position")
    choices = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in choices if c != number[position]]), label="by")
    corrupted = number[:position] + replacement + number[position + 1:]
    text = f"身份证{corrupted}谢谢"

    assert not is_valid_id_number(corrupted)
    kinds = [f.kind for f in find(text)]
    assert ID_NUMBER not in kinds
    # Whatever else it is taken for, the birth date of a shape-valid number never shows.
    if kinds:
        assert kinds == [MAYBE_ID_NUMBER] or kinds == [BANK_CARD]
        assert corrupted[6:14] not in mask(text)


@SETTINGS
@given(valid_ids)
def test_every_corruption_of_every_position_is_rejected(number):
    # Exhaustive per example: MOD 11-2 detects every single substitution.
    for position in range(18):
        for replacement in "0123456789X" if position == 17 else "0123456789":
            if replacement != number[position]:
                corrupted = number[:position] + replacement + number[position + 1:]
                assert not is_valid_id_number(corrupted), corrupted


def test_a_wrong_check_character_with_a_real_date_is_masked_as_maybe_id():
    # Decision: 17 correct characters identify the caller, so a mistyped ID number is masked too,
    # but it is reported as maybe_id_number, never as id_number.
    text = "我的身份证370202199001011234"
    assert check_char("37020219900101123") != "4"
    assert not luhn_ok("370202199001011234")
    [finding] = find(text)
    assert finding.kind == MAYBE_ID_NUMBER
    assert mask(text) == "我的身份证370202********1234"


@pytest.mark.parametrize(
    "born",
    ["19901301", "19900230", "19900100", "18991231", "20991231"],
    ids=["month 13", "30 February", "day 0", "before 1900", "future"],
)
def test_an_impossible_birth_date_is_no_id_even_with_a_right_check_character(born):
    body = f"370202{born}123"
    number = body + check_char(body)
    if luhn_ok(number):  # then it is a bank card number, another test's business
        number = body.replace("123", "124") + check_char(body.replace("123", "124"))
    assert not luhn_ok(number)
    assert not is_valid_id_number(number)
    assert find(f"号码{number}") == []
    assert mask(f"号码{number}") == f"号码{number}"


def test_tomorrow_is_not_a_birth_date():
    # Tomorrow in Asia/Shanghai, the product's day: from 16:00 to 24:00 UTC Shanghai is a day
    # ahead, and the machine's tomorrow is already Shanghai's today.
    tomorrow = local_day(get_clock().now()) + timedelta(days=1)
    number = make_id("370202", tomorrow, 1)
    assert not is_valid_id_number(number)
    assert is_valid_id_number(number, today=tomorrow)


@pytest.mark.parametrize("number", ["370202900101123", "110105491231002"])
def test_fifteen_digit_numbers_with_a_real_date_are_found(number):
    text = f"老身份证{number}还能用吗"
    assert [(f.kind, f.text) for f in find(text)] == [(ID_NUMBER, number)]
    assert mask(text) == f"老身份证{number[:6]}******{number[-3:]}还能用吗"


@pytest.mark.parametrize(
    "number", ["370202901301123", "370202900230123", "990202900101123"],
    ids=["month 13", "30 February", "no such province"],
)
def test_fifteen_digit_numbers_without_a_real_date_or_province_are_not(number):
    assert not is_valid_id_number(number)
    assert find(f"编号{number}") == []


def test_an_id_read_out_in_groups_is_found():
    number = make_id("370212", date(1985, 6, 30), 77)
    text = f"身份证 {number[:6]} {number[6:14]} {number[14:]} 好的"
    [finding] = find(text)
    assert finding.kind == ID_NUMBER
    assert mask(text) == f"身份证 {number[:6]} ******** {number[14:]} 好的"


def test_full_width_digits_are_found():
    number = make_id("370203", date(1970, 1, 1), 5)
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    [finding] = find(f"身份证{wide}")
    assert finding.kind == ID_NUMBER
    assert mask(wide) == wide[:6] + "*" * 8 + wide[-4:]


def test_a_final_x_ends_the_number_even_before_more_digits():
    number = make_id("110105", date(1949, 12, 31), 2)
    assert number.endswith("X")
    text = f"{number}0532"
    assert [(f.kind, f.text) for f in find(text)] == [(ID_NUMBER, number)]
    assert mask(text) == f"{number[:6]}********{number[-4:]}0532"
