"""The agencies' supervision pages under /console/supervision (district and city supervisors,
administrators): warnings, tickets, investigation reports, rules fired, figures and charts, annual
grades and each bank's assessment, on-site inspections, satisfaction, the 三率 board.

Each page reads through `bot.supervision` with the signed-in user's scope
(`bot.web.console.deps.district_scope`): a district supervisor's pages, counts, charts and downloads
hold their district only, and another district's ticket is "not found" (404), never "forbidden".
"""

from fastapi import APIRouter

from bot.web.console.routes.supervision import (
    assessment,
    board,
    figures,
    inspections,
    investigations,
    overview,
    rules,
    satisfaction,
    tickets,
)

router = APIRouter(include_in_schema=False)
router.include_router(overview.router)
router.include_router(tickets.router)
router.include_router(investigations.router)
router.include_router(rules.router)
router.include_router(figures.router)
router.include_router(assessment.router)
router.include_router(inspections.router)
router.include_router(satisfaction.router)
router.include_router(board.router)
