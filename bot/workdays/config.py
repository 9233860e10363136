"""Years configured by operators in ``knowledge/workdays/YYYY.yml``.

chinese_calendar knows the official holidays and make-up working days (调休) of the years it was
released for; a year it does not know yet is added here, copied from the State Council's notice
(国务院办公厅关于YYYY年部分节假日安排的通知). See ``knowledge/workdays/README.md`` for the format.

Every problem is reported as a ``KnowledgeError`` naming the file, the YAML path and the line,
and all problems of all files are reported together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

from bot.knowledge.errors import KnowledgeError, Problem
from bot.knowledge.yamlio import read_yaml

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_YEAR_FILE = re.compile(r"^(\d{4})\.yml$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")



def default_root() -> Path:
    """The repository's ``knowledge/workdays/`` folder."""
    return _PROJECT_ROOT / "knowledge" / "workdays"


def _parse_day(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError("must be a date written YYYY-MM-DD, without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DAY.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a calendar date ({exc})") from None
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_parse_day)]


class _YearFileModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    holidays: tuple[Day, ...]
    make_up_working_days: tuple[Day, ...]


@dataclass(frozen=True)
class YearCalendar:
    """The official calendar of one configured year."""

    year: int
    source: str
    file: str
    holidays: frozenset[date]
    make_up_working_days: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day} is not in {self.year}")
        if day in self.make_up_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays


# --------------------------------------------------------------------------- YAML reading


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so ``2027-02-30`` is a reported problem, not a crash."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(_PROJECT_ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- validation


def _check_year_file(path: Path, year: int) -> YearCalendar:
    doc = read_yaml(path, name=_display_name(path), loader=_Loader)
    data = doc.data
    if not isinstance(data, dict):
        raise KnowledgeError(doc.problem((), "the file must contain a YAML mapping with source, holidays "
                                             "and make_up_working_days"))
    try:
        model = _YearFileModel.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = f"missing: add `{loc[-1]}:`" + (" (a list of dates, may be empty)"
                                                          if loc[-1] == "make_up_working_days" else "")
                loc = loc[:-1]
            elif error["type"] == "extra_forbidden":
                message = ("unknown key; the keys are source, holidays and make_up_working_days")
            problems.append(doc.problem(loc, message))
        raise KnowledgeError(problems) from exc

    problems: list[Problem] = []
    first_seen: dict[date, tuple[str, int]] = {}
    for key in ("holidays", "make_up_working_days"):
        for index, day in enumerate(getattr(model, key)):
            where = (key, index)
            if day.year != year:
                problems.append(doc.problem(where, f"{day} is not in {year} (the file configures {year} only)"))
                continue
            if key == "make_up_working_days" and day.weekday() < 5:
                problems.append(doc.problem(where, f"{day} is a {day:%A}; a make-up working day (调休上班) "
                                                   "is a Saturday or Sunday that is worked"))
            if day in first_seen:
                other_key, other_index = first_seen[day]
                if other_key == key:
                    problems.append(doc.problem(where, f"{day} is listed twice (also {key}[{other_index}])"))
                else:
                    problems.append(doc.problem(where, f"{day} is in both holidays and make_up_working_days "
                                                       f"(also {other_key}[{other_index}])"))
                continue
            first_seen[day] = (key, index)
    if not model.holidays:
        problems.append(doc.problem(("holidays",), f"no holidays: every year has official holidays; "
                                                   f"copy them from the notice for {year}"))
    if problems:
        raise KnowledgeError(problems)
    return YearCalendar(
        year=year,
        source=model.source,
        file=doc.file,
        holidays=frozenset(model.holidays),
        make_up_working_days=frozenset(model.make_up_working_days),
    )


def load_years(root: Path) -> dict[int, YearCalendar]:
    """Read and validate every ``YYYY.yml`` in ``root``; raise KnowledgeError if any is broken.

    Other files (README.md, hidden files) are ignored; a ``.yml``/``.yaml`` file not named after
    its year is an error rather than silently skipped.
    """
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError(Problem(_display_name(root), "working-day folder not found"))
    years: dict[int, YearCalendar] = {}
    problems: list[Problem] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix not in (".yml", ".yaml"):
            continue
        match = _YEAR_FILE.match(path.name)
        if not match:
            problems.append(Problem(_display_name(path), "the file name must be the year it configures, "
                                                         "e.g. 2027.yml"))
            continue
        try:
            years[int(match.group(1))] = _check_year_file(path, int(match.group(1)))
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    return years
