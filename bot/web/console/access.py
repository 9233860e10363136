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
    label: str  # shown in the navigation
    roles: frozenset[Role]  # who may open it
    description: str  # one line on the home page
    nav: bool = True  # listed in the navigation and on the home page


AREAS: tuple[Area, ...] = (
    Area("/console/assist", "来电助手", OPERATORS, "来电时输入市民所说的话：识别诉求、给出答复和依据条款、一键生成工单。"),
    Area("/console/notices", "一次性告知单", OPERATORS, "查看、打印已出具的一次性告知单。"),
    Area("/console/handoff", "转人工会话", OPERATORS, "机器人转来的市民会话：查看记录并在控制台回复，市民在 Telegram 中收到。"),
    Area("/console/supervision", "监管", SUPERVISORS, "工单筛选、超期与督办、阈值触发、查实核定、月度年度统计与考核。"),
    # The report workbook sums up every district: the city's to export, not a district's.
    Area("/console/supervision/figures/export.xlsx", "导出月报年报", CITY_SUPERVISORS, "", nav=False),
    Area("/console/users", "用户管理", ADMINS, "创建用户、停用账号、重置密码。"),
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
