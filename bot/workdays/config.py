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

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_YEAR_FILE = re.compile(r"^(\d{4})\.yml$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

PathParts = tuple[str | int, ...]


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


def _format_path(parts: PathParts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


class _Doc:
    def __init__(self, file: str):
        self.file = file
        self.lines: dict[PathParts, int] = {}

    def problem(self, parts: PathParts, message: str) -> Problem:
        line = None
        probe = tuple(parts)
        while True:
            if probe in self.lines:
                line = self.lines[probe]
                break
            if not probe:
                break
            probe = probe[:-1]
        return Problem(self.file, message, _format_path(parts), line)

    def walk(self, node: yaml.Node, parts: PathParts, problems: list[Problem]) -> None:
        self.lines.setdefault(parts, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    problems.append(Problem(self.file, f"duplicate key {key!r} (first defined on line {seen[key]})",
                                            _format_path(parts), line))
                    continue
                seen[key] = line
                self.lines[parts + (key,)] = line
                self.walk(value_node, parts + (key,), problems)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, parts + (index,), problems)


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(_PROJECT_ROOT))
    except ValueError:
        return str(path)


def _read(path: Path, doc: _Doc) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(Problem(doc.file, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")) from exc
    except OSError as exc:
        raise KnowledgeError(Problem(doc.file, f"cannot be read ({exc.strerror})")) from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise KnowledgeError(Problem(
            doc.file, f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}",
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(Problem(doc.file, f"YAML syntax error: {exc}")) from exc
    problems: list[Problem] = []
    if node is not None:
        doc.walk(node, (), problems)
    if problems:
        raise KnowledgeError(problems)
    return data


# --------------------------------------------------------------------------- validation


def _check_year_file(path: Path, year: int) -> YearCalendar:
    doc = _Doc(_display_name(path))
    data = _read(path, doc)
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
