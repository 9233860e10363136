"""China's official working-day calendar (chinese_calendar + ``knowledge/workdays/YYYY.yml``).

``get_calendar()`` is the repository's calendar; ``WorkdayCalendar(path)`` reads another folder.
See ``bot.workdays.calendar`` for the counting rules.
"""

from .calendar import MAX_DAYS, DueDate, UnknownYearError, WorkdayCalendar, get_calendar
from .config import YearCalendar, default_root, load_years

__all__ = [
    "MAX_DAYS",
    "DueDate",
    "UnknownYearError",
    "WorkdayCalendar",
    "YearCalendar",
    "default_root",
    "get_calendar",
    "load_years",
]
