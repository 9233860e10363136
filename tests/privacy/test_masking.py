"""Masking text: glued Chinese, what must stay untouched, length, idempotence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import BANK_CARD, ID_NUMBER, LANDLINE, MOBILE, find, mask

from .conftest import bank_cards, make_id, mobiles, ticket_numbers, valid_ids

SETTINGS = settings(max_examples=80, deadline=None)

ID = make_id("370202", date(1990, 1, 1), 123)


def test_numbers_glued_to_chinese_text():
    text = f"我的身份证{ID}电话13812345678"
    assert [(f.kind, f.start, f.end) for f in find(text)] == [(ID_NUMBER, 5, 23), (MOBILE, 25, 36)]
    assert mask(text) == f"我的身份证{ID[:6]}********{ID[-4:]}电话138****5678"


def test_numbers_glued_to_latin_letters():
    text = f"ID{ID}Tel13812345678卡4111111111111111"
    kinds = [(f.kind, f.text) for f in find(text)]
    assert kinds == [(ID_NUMBER, ID), (MOBILE, "13812345678"), (BANK_CARD, "4111111111111111")]
    assert mask(text) == f"ID{ID[:6]}********{ID[-4:]}Tel138****5678卡************1111"


def test_everything_in_one_message():
    text = f"身份证号：{ID}，手机 138-1234-5678，家里电话（0532）82345678，工单ZB-20261127-0001。"
    assert [f.kind for f in find(text)] == [ID_NUMBER, MOBILE, LANDLINE]
    assert mask(text) == (
        f"身份证号：{ID[:6]}********{ID[-4:]}，手机 138-****-5678，家里电话（0532）****5678，工单ZB-20261127-0001。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "工单号ZB-20261127-0001",
        "督办单DB-20261203-0312已发出",
        "受理日期20261127，应于20261208前发卡",
        "2026-11-27 13:45:12,345 INFO 工单已创建",
        "2026年11月27日",
        "收费12000.50元，退款1380000元",
        "请拨打12333或12345",
        "第十九条、第51条",
        "共有123456789012345678901234个字",  # too long for anything
    ],
)
def test_tickets_dates_amounts_and_service_numbers_stay(text):
    assert find(text) == []
    assert mask(text) == text


@SETTINGS
@given(ticket_numbers)
def test_no_ticket_number_is_personal_data(ticket):
    text = f"您的工单号是{ticket}，请记好"
    assert find(text) == []
    assert mask(text) == text


# Texts made of personal data, look-alikes, separators and Chinese, in any order.
fragments = st.one_of(
    valid_ids, mobiles, bank_cards, ticket_numbers,
    st.sampled_from(["0532-82345678", "+86 ", "86", "-", " ", "（0532）", "X", ".", "电话", "身份证", "，"]),
    st.text("0123456789", min_size=1, max_size=20),
)
texts = st.lists(fragments, max_size=8).map("".join)


@SETTINGS
@given(texts)
def test_mask_keeps_length_and_layout(text):
    masked = mask(text)
    assert len(masked) == len(text)
    for original, shown in zip(text, masked):
        assert shown == original or (shown == "*" and (original.isdigit() or original in "Xx"))


@SETTINGS
@given(texts)
def test_mask_is_idempotent_and_leaves_nothing_to_find(text):
    masked = mask(text)
    assert mask(masked) == masked
    assert find(masked) == []


@SETTINGS
@given(texts)
def test_findings_are_ordered_disjoint_slices_of_the_text(text):
    findings = find(text)
    for f in findings:
        assert text[f.start:f.end] == f.text
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


@SETTINGS
@given(st.lists(st.one_of(valid_ids, mobiles), min_size=1, max_size=4),
       st.lists(st.sampled_from(["，", "电话", "身份证", "和", "。"]), min_size=5, max_size=5))
def test_no_digit_of_a_masked_number_in_between_leaks(numbers, glue):
    text = "".join(g + n for g, n in zip(glue, numbers))
    masked = mask(text)
    for n in numbers:
        assert n not in masked
    assert len(find(text)) == len(numbers)


def test_masked_examples_match_the_documented_forms():
    assert mask("370202199001011234") == "370202********1234"
    assert mask("11010519491231002X") == "110105********002X"
    assert mask("13812345678") == "138****5678"


def test_a_number_hidden_under_a_longer_one_is_masked_in_the_same_pass():
    """A card whose last four digits are a landline's area code: the landline is masked too, at once."""
    masked = mask("0014444556580532-82345678")
    assert masked == "************0532-****5678"
    assert mask(masked) == masked and find(masked) == []
