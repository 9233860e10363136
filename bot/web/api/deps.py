"""Dependencies of the bank API, as ``Annotated`` aliases.

``CurrentBank`` is the bank whose ``Authorization: Bearer <api_key>`` came with the request, its request
counted against its rate limit (``app.state.bank_api_limiter``, RateLimited beyond it: 429);
``UploadLimitDep`` the size a self-inspection summary may have (``app.state.self_inspection_max_bytes``). The
dependencies the bank API shares with the console (the request's transaction, its instant, the
engine, calendar and knowledge) are in ``bot.web.deps``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from bot.banks import authenticate
from bot.banks.models import BankAccount
from bot.web.api.rate_limit import BankApiLimiter, bank_key
from bot.web.deps import EngineDep, KnowledgeDep, NowDep

bearer = HTTPBearer(auto_error=False, scheme_name="BankApiKey",
                    description="`sbk bank register` 发给银行的 API 密钥：`Authorization: Bearer sbk_…`")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail={"message": message, "field": None},
                         headers={"WWW-Authenticate": 'Bearer realm="sbk-bank-api"'})


def get_limiter(request: Request) -> BankApiLimiter:
    return request.app.state.bank_api_limiter


LimiterDep = Annotated[BankApiLimiter, Depends(get_limiter)]


def get_current_bank(engine: EngineDep, knowledge: KnowledgeDep, limiter: LimiterDep, now: NowDep,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> BankAccount:
    """The authenticated bank, or 401; its request spent from its allowance, or RateLimited (429).
    Checked in short sessions of their own, outside the request's transaction, so the deliberately
    slow key check never holds a write lock, and a request refused later still counts."""
    if credentials is None:
        raise _unauthorized(knowledge.messages.render("api_key_missing"))
    with Session(engine, expire_on_commit=False) as session:
        account = authenticate(session, credentials.credentials)  # close() keeps it loaded
    if account is None:
        raise _unauthorized(knowledge.messages.render("api_key_invalid"))
    assert account.id is not None
    limiter.spend(engine=engine, key=bank_key(account.id), now=now)
    return account


CurrentBank = Annotated[BankAccount, Depends(get_current_bank)]


def get_upload_limit(request: Request) -> int:
    return request.app.state.self_inspection_max_bytes


UploadLimitDep = Annotated[int, Depends(get_upload_limit)]
