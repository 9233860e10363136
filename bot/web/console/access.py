"""Which role may open which part of the console: the one table the navigation, the home page and
the role tests read.

Routes enforce access themselves (``OperatorUser``, ``SupervisorUser``, ``AdminUser`` in
``bot.web.console.deps``); this table declares the same rule per path prefix, and the tests check
every route under ``/console`` against it, so a route whose dependency disagrees with its area,
or a route outside every area, fails the role matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.console.models import Role

OPERATORS = frozenset({Role.operator, Role.admin})
SUPERVISORS = frozenset({Role.district_supervisor, Role.city_supervisor, Role.admin})
CITY_SUPERVISORS = frozenset({Role.city_supervisor, Role.admin})
ADMINS = frozenset({Role.admin})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Area:
    prefix: str  # every route whose path starts with it belongs to the area
    label: str  # catalogue key of its name in the navigation
    roles: frozenset[Role]  # who may open it
    description: str | None  # catalogue key of its line on the home page
    nav: bool = True  # listed in the navigation and on the home page


AREAS: tuple[Area, ...] = (
    Area("/console/assist", "console_area_assist", OPERATORS, "console_area_assist_description"),
    Area("/console/notices", "console_area_notices", OPERATORS, "console_area_notices_description"),
    Area("/console/handoff", "console_area_handoff", OPERATORS, "console_area_handoff_description"),
    Area("/console/callbacks", "console_area_callbacks", OPERATORS, "console_area_callbacks_description"),
    Area("/console/supervision", "console_area_supervision", SUPERVISORS, "console_area_supervision_description"),
    # The report workbook sums up every district: the city's to export, not a district's.
    Area("/console/supervision/figures/export.xlsx", "console_area_export", CITY_SUPERVISORS, None, nav=False),
    # Each bank's assessment and the findings behind it are the city's (Art. 39–42); districts see the grades.
    Area("/console/supervision/assessment", "console_area_assessment", CITY_SUPERVISORS, None, nav=False),
    # Banks report their summaries to the city agency (Art. 38): the city's to follow, not a district's.
    Area("/console/self-inspections", "console_area_self_inspections", CITY_SUPERVISORS,
         "console_area_self_inspections_description"),
    Area("/console/users", "console_area_users", ADMINS, "console_area_users_description"),
)

# Open to anyone signed in, whatever the role.
SIGNED_IN_PATHS = ("/console/", "/console/logout")
# Open without signing in.
PUBLIC_PATHS = ("/console/login", "/console/static")


def area_of(path: str) -> Area | None:
    """The area a path belongs to (the longest matching prefix), or None."""
    best: Area | None = None
    for area in AREAS:
        if (path == area.prefix or path.startswith(area.prefix + "/")) and \
                (best is None or len(area.prefix) > len(best.prefix)):
            best = area
    return best


def may_open(role: Role, path: str) -> bool | None:
    """Whether `role` may open `path` by the table; None for a path the table does not cover."""
    area = area_of(path)
    if area is not None:
        return role in area.roles
    if path in SIGNED_IN_PATHS or any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS):
        return True
    return None
