"""Calendars on private folders, so tests do not depend on what operators put in knowledge/workdays/."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.workdays import WorkdayCalendar

# A FICTIONAL 2027 schedule for tests only (the official one is not known here): New Year
# 2027-01-01 (Fri) to 2027-01-04 (Mon) off, Sunday 2027-01-10 worked in exchange.
FICTIONAL_2027 = """\
source: test fixture, not the official 2027 schedule
holidays:
  - 2027-01-01
  - 2027-01-02
  - 2027-01-03
  - 2027-01-04
make_up_working_days:
  - 2027-01-10
"""


def write_year(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workdays"
    folder.mkdir()
    return folder


@pytest.fixture
def calendar(empty_dir: Path) -> WorkdayCalendar:
    """chinese_calendar alone: 2004–2026 known, every other year unknown."""
    return WorkdayCalendar(empty_dir)


@pytest.fixture
def dir_2027(empty_dir: Path) -> Path:
    write_year(empty_dir, "2027.yml", FICTIONAL_2027)
    return empty_dir
