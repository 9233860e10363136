"""Reading a calendar date out of a citizen's message, without dateutil.

Understood: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日; 11月23日 / 11月23号 (also in
Chinese numerals, 十一月二十三日); 11.23 and 11/23; 今天, 昨天, 前天, 大前天, N天前; 上周一 …
上周日 (also 上星期/上礼拜), 这周三 / 本周三, and a bare 周三 / 星期三 (the latest one up to today).
A date without a year is the latest such day up to today. Dates are local (Asia/Shanghai) days.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot.clock import get_clock, local_day

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUM = r"(\d{1,2}|[零〇一二两三四五六七八九十]{1,3})"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEK = r"(?:周|星期|礼拜)"

_FULL = re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)")
_MONTH_DAY = re.compile(_NUM + r"\s*月\s*" + _NUM + r"\s*[日号]?")
_DOTTED = re.compile(r"(?<![\d./-])(\d{1,2})\s*[./]\s*(\d{1,2})(?![\d./-])")
_DAYS_AGO = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,2})\s*天(?:以)?前")
_LAST_WEEK = re.compile(r"上(?:个)?" + _WEEK + r"\s*([一二三四五六日天七1-7])")
_THIS_WEEK = re.compile(r"(?:这|本|这个)" + _WEEK + r"\s*([一二三四五六日天七1-7])")
_BARE_WEEK = re.compile(_WEEK + r"\s*([一二三四五六日天七1-7])")
_RELATIVE = (("大前天", 3), ("前天", 2), ("昨天", 1), ("昨日", 1), ("今天", 0), ("今日", 0))


@dataclass(frozen=True)
class DateReading:
    """What was found: ``day`` when a valid date was read; ``mentioned`` when something looked
    like a date (so an invalid one, e.g. 2月30日, can be reported instead of ignored)."""

    day: date | None
    mentioned: bool

    @property
    def found(self) -> bool:
        return self.day is not None


def today() -> date:
    """Today in Asia/Shanghai, where the citizen's "yesterday" and "last Wednesday" are counted."""
    return local_day(get_clock().now())


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else -1


def _latest(month: int, day: int, ref: date) -> date | None:
    """The latest date with this month and day up to ``ref`` (this year or the one before)."""
    for year in (ref.year, ref.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= ref:
            return candidate
    return None


def read_date(text: str, ref: date | None = None) -> DateReading:
    """The first date mentioned in ``text``; ``ref`` is today unless given."""
    ref = ref or today()
    text = unicodedata.normalize("NFKC", text)

    if match := _FULL.search(text):
        year, month, day = (int(g) for g in match.groups())
        try:
            return DateReading(date(year, month, day), True)
        except ValueError:
            return DateReading(None, True)
    if match := _MONTH_DAY.search(text):
        month, day = _number(match.group(1)), _number(match.group(2))
        return DateReading(_latest(month, day, ref) if 1 <= month <= 12 and 1 <= day <= 31 else None, True)
    if match := _DOTTED.search(text):
        month, day = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return DateReading(_latest(month, day, ref), True)
    if match := _DAYS_AGO.search(text):
        return DateReading(ref - timedelta(days=_number(match.group(1))), True)
    for word, back in _RELATIVE:
        if word in text:
            return DateReading(ref - timedelta(days=back), True)
    monday = ref - timedelta(days=ref.weekday())
    if match := _LAST_WEEK.search(text):
        return DateReading(monday - timedelta(days=7) + timedelta(days=_WEEKDAY[match.group(1)]), True)
    if match := _THIS_WEEK.search(text):
        return DateReading(monday + timedelta(days=_WEEKDAY[match.group(1)]), True)
    if match := _BARE_WEEK.search(text):
        day = monday + timedelta(days=_WEEKDAY[match.group(1)])
        return DateReading(day if day <= ref else day - timedelta(days=7), True)
    return DateReading(None, False)
