"""/api/bank/tickets: the authenticated bank's own tickets and its steps on them.

Another bank's ticket is answered exactly like a ticket that does not exist (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from bot.banks.models import BankAccount
from bot.knowledge import Knowledge
from bot.ledger import tickets as ledger
from bot.ledger.models import Ticket, TicketState
from bot.web.api import crud
from bot.web.api.deps import CurrentBank
from bot.web.api.models import (
    BankTicketDetail,
    BankTicketsPublic,
    ErrorPublic,
    ExtensionCreate,
    ObjectionCreate,
    ReportCreate,
)
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, ReactionsDep, SessionDep

MAX_PAGE = 100
MAX_OFFSET = 1_000_000


def _error(*, description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


UNAUTHORIZED = {401: _error(description="缺少或无效的 API 密钥（响应带 WWW-Authenticate 头）")}
NOT_FOUND = {404: _error(description="没有这个工单，或工单不属于本行")}
INVALID = {422: _error(description="请求不合法；detail.field 指出出错的字段")}
CONFLICT = {409: _error(description="工单当前状态或期限不允许这一步（如重复签收、到期日当天申请延期、超过异议期限）")}
TOO_LARGE = {413: _error(description="请求体过大")}

router = APIRouter(prefix="/tickets", tags=["工单"], responses={**UNAUTHORIZED, **INVALID})

TicketNumber = Annotated[str, Path(max_length=20, description="工单编号，如 ZB-20261127-0001（转办单）或 DB-…（督办单）",
                                   examples=["ZB-20261127-0001"])]


def _actor(bank: BankAccount) -> str:
    return f"bank:{bank.bank}"


def _owned(session: Session, bank: BankAccount, number: str, *, lock: bool = False) -> Ticket:
    if lock:
        crud.lock_ticket(session, number=number, bank=bank.bank)
    return ledger.get_ticket(session, number, bank=bank.bank)


def _detail(session: Session, ticket: Ticket, knowledge: Knowledge) -> BankTicketDetail:
    session.flush()
    return crud.ticket_detail(ticket, crud.case_of(session, ticket=ticket), knowledge=knowledge)


class TicketFilter(BaseModel):
    """Query parameters of the list; an unknown parameter is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    state: TicketState | None = Field(default=None, description="只看这一状态的工单")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description="每页条数")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="跳过的条数")


@router.get("", response_model=BankTicketsPublic, summary="本行的工单列表")
def list_tickets(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep,
                 query: Annotated[TicketFilter, Query()]) -> Any:
    """本行的转办单和督办单，新的在前；可按状态筛选，分页。"""
    rows, count = crud.list_tickets(session, bank=bank.bank, state=query.state, limit=query.limit,
                                    offset=query.offset)
    return BankTicketsPublic(data=[crud.ticket_public(t, c, knowledge=knowledge) for t, c in rows], count=count)


@router.get("/{number}", response_model=BankTicketDetail, responses=NOT_FOUND, summary="查看工单")
def read_ticket(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, number: TicketNumber) -> Any:
    """工单详情。事情经过中的个人信息已遮蔽；市民同意被联系时才提供其联系方式。"""
    return _detail(session, _owned(session, bank, number), knowledge)


@router.post("/{number}/acknowledge", response_model=BankTicketDetail, responses={**NOT_FOUND, **CONFLICT},
             summary="签收工单")
def acknowledge_ticket(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, now: NowDep,
                       number: TicketNumber) -> Any:
    """确认收到工单。只能签收一次（重复签收返回 409）。"""
    ticket = ledger.acknowledge(session, _owned(session, bank, number, lock=True), actor=_actor(bank), now=now)
    return _detail(session, ticket, knowledge)


@router.post("/{number}/report", response_model=BankTicketDetail,
             responses={**NOT_FOUND, **CONFLICT, **TOO_LARGE}, summary="反馈处理过程和结果")
def report_ticket(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, now: NowDep,
                  reactions: ReactionsDep, number: TicketNumber, body: ReportCreate) -> Any:
    """反馈处理过程；同时填写 result 即为办结（《办法》第九条、第三十三条）。签收前也可反馈；
    办结后不能再反馈（409）。"""
    ticket = ledger.report(session, _owned(session, bank, number, lock=True), process=body.process,
                           result=body.result, actor=_actor(bank), now=now, knowledge=knowledge,
                           reactions=reactions)
    return _detail(session, ticket, knowledge)


@router.post("/{number}/extension", response_model=BankTicketDetail,
             responses={**NOT_FOUND, **CONFLICT, **TOO_LARGE}, summary="申请延期")
def request_extension(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, calendar: CalendarDep,
                      now: NowDep, number: TicketNumber, body: ExtensionCreate) -> Any:
    """申请把到期日延至 until。须不迟于到期日前1个工作日提出（《办法》第九条），否则返回 409 并说明原因。"""
    ticket = ledger.request_extension(session, _owned(session, bank, number, lock=True), until=body.until,
                                      reason=body.reason, actor=_actor(bank), calendar=calendar, now=now)
    return _detail(session, ticket, knowledge)


@router.post("/{number}/objection", response_model=BankTicketDetail,
             responses={**NOT_FOUND, **CONFLICT, **TOO_LARGE}, summary="对核查结论提出异议")
def object_to_finding(session: SessionDep, bank: CurrentBank, knowledge: KnowledgeDep, now: NowDep,
                      number: TicketNumber, body: ObjectionCreate) -> Any:
    """对查实/不实的核查结论提出书面异议，须在核查之日起5日内（《办法》第五十三条），否则返回 409。
    尚无核查结论时也返回 409。"""
    ticket = ledger.object_to_finding(session, _owned(session, bank, number, lock=True), reason=body.reason,
                                      actor=_actor(bank), now=now, knowledge=knowledge)
    return _detail(session, ticket, knowledge)
