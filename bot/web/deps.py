"""Dependencies shared by the bank API and the console, as ``Annotated`` aliases.

``SessionDep`` is one transaction per request: committed when the operation succeeds, rolled
back on any error (so nothing is half-written); it closes before the response is sent
(``scope="function"``), so a failed commit is an error response, never a false success.

``NowDep`` is the request's instant, read once from the app's clock (``app.state.clock``, a
``bot.clock.Clock``) so that every row a request writes carries the same time. Tests give the app
factory a ``FixedClock``; ``get_now`` can still be overridden.

``ReactionsDep`` is what follows a change to the ledger (``app.state.reactions``, by default
``bot.reactions.ledger_reactions()``): the deliveries, citizens' messages and threshold firings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.knowledge import Knowledge
from bot.ledger.events import Reactions
from bot.workdays import WorkdayCalendar


def get_engine_dep(request: Request) -> Engine:
    return request.app.state.engine


def get_calendar(request: Request) -> WorkdayCalendar:
    return request.app.state.calendar


def get_knowledge_dep(request: Request) -> Knowledge:
    return request.app.state.knowledge


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def get_reactions(request: Request) -> Reactions:
    return request.app.state.reactions


EngineDep = Annotated[Engine, Depends(get_engine_dep)]
CalendarDep = Annotated[WorkdayCalendar, Depends(get_calendar)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge_dep)]
ClockDep = Annotated[Clock, Depends(get_clock)]
ReactionsDep = Annotated[Reactions, Depends(get_reactions)]


def get_now(clock: ClockDep) -> datetime:
    """The request's instant."""
    return clock.now()


NowDep = Annotated[datetime, Depends(get_now)]


def get_session(engine: EngineDep) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
