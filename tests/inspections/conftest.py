"""Fixtures of the inspection tests: the real working-day calendar, Qingdao wall times, and a
recording helper whose every argument a test can override."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from bot.inspections import COMPLIANT, NON_COMPLIANT, FindingInput, OutletInspection, record_inspection
from bot.knowledge import Knowledge, get_knowledge
from bot.workdays import WorkdayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
LICANG, SHINAN = "李沧区", "市南区"
CCB, ICBC = "中国建设银行", "中国工商银行"


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Qingdao wall time as the UTC instant the clock gives."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


# Friday 2026-11-27, 10:00 in Qingdao: the week runs from Monday 11-23 to Sunday 11-29.
NOW = sh(2026, 11, 27)


@pytest.fixture(scope="session")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


def all_compliant(knowledge: Knowledge | None = None, **overrides: FindingInput) -> dict[str, FindingInput]:
    """A finding for every checklist item: 符合, except those given."""
    items = (knowledge or get_knowledge()).inspections.items
    return {item.code: overrides.get(item.code, FindingInput(COMPLIANT)) for item in items}


def not_met(note: str = "未悬挂统一标牌") -> FindingInput:
    return FindingInput(NON_COMPLIANT, note)


def record(session: Session, calendar: WorkdayCalendar, **given: Any) -> OutletInspection:
    """record_inspection of CCB 李村支行 (李沧区) today by two staff, everything compliant, unless given."""
    args: dict[str, Any] = {
        "scope": LICANG, "bank": CCB, "outlet": "李村支行", "inspected_on": "2026-11-27",
        "staff": ["王强", "李敏"], "findings": all_compliant(), "recorded_by": "licang1",
        "knowledge": get_knowledge(), "calendar": calendar, "now": NOW, **given}
    return record_inspection(session, **args)
