"""Operators' YYYY.yml files: every mistake is reported with the file, the place and the line."""

from __future__ import annotations

from datetime import date

import pytest

from bot.knowledge import KnowledgeError
from bot.workdays import WorkdayCalendar, default_root, load_years

from .conftest import FICTIONAL_2027, write_year


def problems_of(folder) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_years(folder)
    return [str(p) for p in info.value.problems]


def test_a_valid_file_loads(dir_2027):
    years = load_years(dir_2027)
    assert list(years) == [2027]
    year = years[2027]
    assert year.source == "test fixture, not the official 2027 schedule"
    assert year.holidays == {date(2027, 1, d) for d in (1, 2, 3, 4)}
    assert year.make_up_working_days == {date(2027, 1, 10)}


def test_the_repository_folder_is_valid():
    assert default_root().is_dir()
    assert (default_root() / "README.md").is_file()
    WorkdayCalendar().load()


def test_other_files_are_ignored(dir_2027):
    (dir_2027 / "README.md").write_text("# notes\nholidays: nonsense", encoding="utf-8")
    (dir_2027 / ".2028.yml.swp").write_text("garbage", encoding="utf-8")
    assert list(load_years(dir_2027)) == [2027]


@pytest.mark.parametrize("text, expected", [
    (FICTIONAL_2027.replace("  - 2027-01-03\n", "  - 2028-01-03\n"),
     "2027.yml: holidays[2] (line 5): 2028-01-03 is not in 2027"),
    (FICTIONAL_2027.replace("  - 2027-01-10\n", "  - 2026-12-27\n"),
     "2027.yml: make_up_working_days[0] (line 8): 2026-12-27 is not in 2027"),
    (FICTIONAL_2027.replace("  - 2027-01-10\n", "  - 2027-01-03\n"),
     "2027.yml: make_up_working_days[0] (line 8): 2027-01-03 is in both holidays and make_up_working_days"),
    (FICTIONAL_2027.replace("  - 2027-01-02\n", "  - 2027-01-01\n"),
     "2027.yml: holidays[1] (line 4): 2027-01-01 is listed twice"),
    (FICTIONAL_2027.replace("  - 2027-01-10\n", "  - 2027-01-11\n"),
     "2027.yml: make_up_working_days[0] (line 8): 2027-01-11 is a Monday"),
    (FICTIONAL_2027.replace("  - 2027-01-02\n", "  - 2027-02-30\n"),
     "2027.yml: holidays[1] (line 4): '2027-02-30' is not a calendar date"),
    (FICTIONAL_2027.replace("  - 2027-01-02\n", "  - 2027-1-2\n"),
     "2027.yml: holidays[1] (line 4): '2027-1-2' is not a date written YYYY-MM-DD"),
    (FICTIONAL_2027.replace("  - 2027-01-02\n", "  - 20270102\n"),
     "2027.yml: holidays[1] (line 4): 20270102 is not a date written YYYY-MM-DD"),
    (FICTIONAL_2027.replace("  - 2027-01-02\n", "  - 2027-01-02 09:00:00\n"),
     "2027.yml: holidays[1] (line 4): '2027-01-02 09:00:00' is not a date written YYYY-MM-DD"),
    (FICTIONAL_2027.replace("source: test fixture, not the official 2027 schedule\n", ""),
     "2027.yml (line 1): missing: add `source:`"),
    (FICTIONAL_2027.replace("source: test fixture, not the official 2027 schedule\n", "source: '  '\n"),
     "2027.yml: source (line 1): String should have at least 1 character"),
    (FICTIONAL_2027.replace("make_up_working_days:", "make_up_workdays:"),
     "2027.yml: make_up_workdays (line 7): unknown key"),
    (FICTIONAL_2027 + "holidays: []\n",
     "2027.yml (line 9): duplicate key 'holidays' (first defined on line 2)"),
    ("source: x\nholidays: []\nmake_up_working_days: []\n",
     "2027.yml: holidays (line 2): no holidays"),
    ("- 2027-01-01\n", "2027.yml (line 1): the file must contain a YAML mapping"),
    ("source: x\nholidays: [2027-01-01\n", "2027.yml (line 3, column 1): YAML syntax error"),
    ("source: x\nholidays: 2027-01-01\nmake_up_working_days: []\n",
     "2027.yml: holidays (line 2): Input should be a valid tuple"),
])
def test_a_broken_file_names_file_place_and_line(empty_dir, text, expected):
    write_year(empty_dir, "2027.yml", text)
    problems = problems_of(empty_dir)
    assert any(p.startswith(str(empty_dir / "2027.yml")) for p in problems), problems
    assert any(expected in p for p in problems), problems


def test_all_problems_of_all_files_are_reported_together(empty_dir):
    write_year(empty_dir, "2027.yml", FICTIONAL_2027.replace("2027-01-03", "2028-01-03").replace("2027-01-10", "2027-01-11"))
    write_year(empty_dir, "2028.yml", "source: x\nholidays: [2028-13-01]\nmake_up_working_days: []\n")
    problems = problems_of(empty_dir)
    assert len(problems) == 3, problems
    assert sum("2027.yml" in p for p in problems) == 2
    assert sum("2028.yml" in p for p in problems) == 1


@pytest.mark.parametrize("name", ["2027.yaml", "y2027.yml", "27.yml", "2027-holidays.yml"])
def test_a_yaml_file_not_named_after_its_year_is_an_error(empty_dir, name):
    write_year(empty_dir, name, FICTIONAL_2027)
    problems = problems_of(empty_dir)
    assert problems == [f"{empty_dir / name}: the file name must be the year it configures, e.g. 2027.yml"]


def test_invalid_utf8_is_reported(empty_dir):
    (empty_dir / "2027.yml").write_bytes(b"source: \xff\xfe\n")
    assert "not valid UTF-8" in problems_of(empty_dir)[0]


def test_quoted_dates_and_empty_make_up_list_are_fine(empty_dir):
    write_year(empty_dir, "2027.yml", "source: x\nholidays: ['2027-01-01', \"2027-01-02\"]\nmake_up_working_days: []\n")
    assert load_years(empty_dir)[2027].holidays == {date(2027, 1, 1), date(2027, 1, 2)}


def test_a_file_inside_the_repository_is_named_relative_to_it():
    from bot.workdays.config import _display_name
    assert _display_name(default_root() / "2027.yml") == "knowledge/workdays/2027.yml"
