"""Reading messages: dates, phone numbers, banks, ticket numbers."""

from __future__ import annotations

from datetime import date

import pytest

from actions.dates import read_date
from actions.turn import Turn
from tests.actions.conftest import TODAY, entity, message, tracker


@pytest.mark.parametrize("text, expected", [
    ("2026-11-23", date(2026, 11, 23)),
    ("受理日期是2026/11/23", date(2026, 11, 23)),
    ("2026.11.23", date(2026, 11, 23)),
    ("2026年11月23日办的", date(2026, 11, 23)),
    ("11月23日", date(2026, 11, 23)),
    ("11月23号受理的", date(2026, 11, 23)),
    ("十一月二十三日", date(2026, 11, 23)),
    ("11.23", date(2026, 11, 23)),
    ("11/23", date(2026, 11, 23)),
    ("１１月２３日", date(2026, 11, 23)),  # full-width digits
    ("12月30日", date(2025, 12, 30)),  # no year: the latest such day up to today
    ("今天", TODAY),
    ("昨天下午", date(2026, 11, 26)),
    ("前天", date(2026, 11, 25)),
    ("3天前", date(2026, 11, 24)),
    ("上周一", date(2026, 11, 16)),
    ("上星期五", date(2026, 11, 20)),
    ("这周一", date(2026, 11, 23)),
    ("周一", date(2026, 11, 23)),
    ("周六", date(2026, 11, 21)),  # the latest Saturday, not tomorrow
])
def test_dates_are_read(text, expected):
    reading = read_date(text, TODAY)
    assert reading.day == expected and reading.mentioned


@pytest.mark.parametrize("text", ["2026-02-30", "2月30日", "13月1日"])
def test_impossible_dates_are_noticed(text):
    assert read_date(text, TODAY) == read_date(text, TODAY).__class__(None, True)


@pytest.mark.parametrize("text", ["我的卡什么时候能拿到", "补卡要多少钱", ""])
def test_no_date(text):
    reading = read_date(text, TODAY)
    assert not reading.found and not reading.mentioned


@pytest.mark.parametrize("text, phone", [
    ("13912345678", "13912345678"),
    ("电话是 139 1234 5678", "13912345678"),
    ("+86 139-1234-5678", "13912345678"),
    ("打1391234567吧", None),  # 10 digits
    ("23912345678", None),
])
def test_mobile_numbers(text, phone):
    assert Turn.of(tracker(message(text, "nlu_fallback", 0.2))).phone() == phone


def test_bank_from_entity_or_alias():
    text = "不对，是农行"
    with_entity = Turn.of(tracker(message(text, "other_deny", 0.4, [entity(text, "bank", "农行", "中国农业银行")])))
    assert with_entity.bank() == "中国农业银行"
    assert Turn.of(tracker(message(text, "other_deny", 0.4))).bank() == "中国农业银行"
    assert Turn.of(tracker(message("ccb", "nlu_fallback", 0.1))).bank() == "中国建设银行"
    assert Turn.of(tracker(message("招商银行", "nlu_fallback", 0.1))).bank() is None


def test_ticket_numbers_are_normalised():
    turn = Turn.of(tracker(message("查一下 zb-20261127-0001 和 DB-20261128-0012", "other_ticket_status")))
    assert turn.ticket_numbers() == ["ZB-20261127-0001", "DB-20261128-0012"]


def test_unknown_intents_in_the_ranking_are_ignored():
    parse = message("你好", "other_greet", 1.0, ranking=[("other_greet", 0.9), ("restart", 0.1)])
    assert Turn.of(tracker(parse)).interpretation.intent == "other/greet"
