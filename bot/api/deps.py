"""Dependencies of the bank API, as ``Annotated`` aliases.

``SessionDep`` is one transaction per request: committed when the operation succeeds, rolled
back on any error (so nothing is half-written); it closes before the response is sent
(``scope="function"``), so a failed commit is an error response, never a false success.
``CurrentBank`` is the bank whose ``Authorization: Bearer <api_key>`` came with the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.banks import authenticate
from bot.knowledge import Knowledge
from bot.ledger.models import BankAccount
from bot.workdays import WorkdayCalendar


def get_engine_dep(request: Request) -> Engine:
    return request.app.state.engine


def get_calendar(request: Request) -> WorkdayCalendar:
    return request.app.state.calendar


def get_knowledge_dep(request: Request) -> Knowledge:
    return request.app.state.knowledge


def get_now() -> datetime:
    """The current instant (override in tests to fix the clock)."""
    return datetime.now(UTC)


EngineDep = Annotated[Engine, Depends(get_engine_dep)]
CalendarDep = Annotated[WorkdayCalendar, Depends(get_calendar)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge_dep)]
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

bearer = HTTPBearer(auto_error=False, scheme_name="BankApiKey",
                    description="`sbk bank register` 发给银行的 API 密钥：`Authorization: Bearer sbk_…`")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail={"message": message, "field": None},
                         headers={"WWW-Authenticate": 'Bearer realm="sbk-bank-api"'})


def get_current_bank(engine: EngineDep,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> BankAccount:
    """The authenticated bank, or 401. Checked in its own short session, outside the request's
    transaction, so the deliberately slow key check never holds a write lock."""
    if credentials is None:
        raise _unauthorized("缺少 API 密钥：请在 Authorization 头中提供 Bearer 密钥")
    with Session(engine, expire_on_commit=False) as session:
        account = authenticate(session, credentials.credentials)  # close() keeps it loaded
    if account is None:
        raise _unauthorized("API 密钥无效")
    return account


CurrentBank = Annotated[BankAccount, Depends(get_current_bank)]
