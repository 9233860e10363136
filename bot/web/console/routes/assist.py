"""The 12333 operator's assist page (/console/assist): what the caller says, understood as it is
typed; the answer to read out with its articles; a one-time notice to print; a one-click ticket;
the caller's earlier tickets.

The page's script posts the utterances to ``/analyze`` (debounced, header ``X-CSRF-Token``) and
puts the returned HTML fragment in place; fragments are rendered here, with autoescaping, so the
script never builds markup from text. The ticket form and the caller lookup work the same way
and, without the script, as ordinary form posts that return the whole page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.ledger.errors import InvalidInput
from bot.ledger.models import Ticket
from bot.nlu.remote import RasaParser
from bot.reports import labels
from bot.web.console.assist import Analysis, analyze
from bot.web.console.audit import record_audit
from bot.web.console.callers import CallerHistory, caller_history
from bot.web.console.deps import CsrfChecked, OperatorUser
from bot.web.console.intake import CHANNEL, FormErrors, TicketForm, file_ticket, linked_note, ticket_intents
from bot.web.console.models import ConsoleUser
from bot.web.console.templating import render
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, ReactionsDep, SessionDep

router = APIRouter(prefix="/console/assist", include_in_schema=False)

FRAGMENT_HEADER = "X-Assist-Fragment"  # sent by assist.js: answer with the panel only
Utterance = Annotated[str, StringConstraints(max_length=2000)]


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft: Utterance = ""
    utterances: list[Utterance] = Field(default_factory=list, max_length=100)
    intent: Annotated[str, StringConstraints(max_length=64)] | None = None


def parser_of(request: Request) -> RasaParser | None:
    return getattr(request.app.state, "nlu_parser", None)


def _fragment(request: Request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def _common(knowledge: Knowledge) -> dict[str, object]:
    return {
        "banks": [b.name for b in knowledge.banks],
        "districts": [d.name for d in knowledge.districts],
        "ticket_intents": ticket_intents(knowledge),
        "all_intents": [(c.label, [(i.name, i.label) for i in knowledge.intents_in(c.name)])
                        for c in knowledge.categories],
        "notice_cases": list(knowledge.notices.values()),
        "channel_name": knowledge.channel(CHANNEL).name,
        "ticket_kind": labels.ticket_kinds(knowledge),
        "ticket_state": labels.ticket_states(knowledge),
        "intent_label": lambda name: _intent_label(knowledge, name),
    }


def _intent_label(knowledge: Knowledge, name: str) -> str:
    try:
        return knowledge.intent(name).label
    except KeyError:
        return name


def _page(request: Request, knowledge: Knowledge, *, ticket_form: TicketForm | None = None,
          errors: dict[str, str] | None = None, created: Ticket | None = None, linked: str | None = None,
          history: CallerHistory | None = None, lookup_phone: str = "", lookup_error: str | None = None,
          status_code: int = 200) -> Response:
    return render(request, "assist/page.html", {
        **_common(knowledge),
        "analysis": Analysis(),
        "form": (ticket_form or TicketForm()).values(),
        "errors": errors or {},
        "created": created,
        "linked": linked,
        "history": history,
        "lookup_phone": lookup_phone,
        "lookup_error": lookup_error,
    }, status_code=status_code)


@router.get("")
def assist_page(request: Request, knowledge: KnowledgeDep, _user: OperatorUser) -> Response:
    return _page(request, knowledge)


@router.post("/analyze")
async def analyze_utterances(request: Request, session: SessionDep, knowledge: KnowledgeDep, _user: OperatorUser,
                             _csrf: CsrfChecked, body: AnalyzeRequest) -> Response:
    # The sign-in check is done; end its transaction before waiting on the NLU, so no database
    # lock is held while Rasa parses.
    await run_in_threadpool(session.commit)
    analysis = await analyze(parser_of(request), draft=body.draft, utterances=body.utterances,
                             knowledge=knowledge, intent=body.intent)
    return render(request, "assist/_analysis.html", {**_common(knowledge), "analysis": analysis})


# --------------------------------------------------------------------------- one-click ticket


def _ticket_panel(request: Request, knowledge: Knowledge, **context: object) -> Response:
    status_code = int(context.pop("status_code", 200))  # type: ignore[call-overload]
    return render(request, "assist/_ticket.html", {
        **_common(knowledge), "form": TicketForm().values(), "errors": {}, "created": None, "linked": None,
        **context,
    }, status_code=status_code)


@router.get("/ticket")
def blank_ticket_form(request: Request, knowledge: KnowledgeDep, _user: OperatorUser) -> Response:
    return _ticket_panel(request, knowledge)


@router.post("/ticket")
def create_ticket(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                  now: NowDep, reactions: ReactionsDep, user: OperatorUser, _csrf: CsrfChecked,
                  contact_phone: Annotated[str, Form(max_length=200)] = "",
                  contact_name: Annotated[str, Form(max_length=200)] = "",
                  consent: Annotated[str, Form(max_length=8)] = "",
                  bank: Annotated[str, Form(max_length=200)] = "",
                  outlet: Annotated[str, Form(max_length=500)] = "",
                  district: Annotated[str, Form(max_length=200)] = "",
                  intent: Annotated[str, Form(max_length=200)] = "",
                  description: Annotated[str, Form(max_length=20000)] = "") -> Response:
    form = TicketForm(contact_phone=contact_phone, contact_name=contact_name, consent=consent == "1", bank=bank,
                      outlet=outlet, district=district, intent=intent, description=description)
    try:
        case, ticket = file_ticket(session, form=form, knowledge=knowledge, calendar=calendar, now=now,
                                   reactions=reactions)
    except FormErrors as exc:
        session.rollback()  # nothing of a refused form is kept
        if _fragment(request):
            return _ticket_panel(request, knowledge, form=form.values(), errors=exc.errors, status_code=422)
        return _page(request, knowledge, ticket_form=form, errors=exc.errors, status_code=422)
    record_audit(session, user=user, action="create_ticket", ticket_number=ticket.number, at=now,
                 detail={"channel": CHANNEL, "intent": case.intent, "bank": case.bank, "outlet": case.outlet,
                         "duplicate_of": case.duplicate_of})
    linked = linked_note(session, case=case, ticket=ticket, knowledge=knowledge)
    if _fragment(request):
        return _ticket_panel(request, knowledge, created=ticket, linked=linked)
    return _page(request, knowledge, created=ticket, linked=linked)


# --------------------------------------------------------------------------- the caller's earlier matters


def _audit_lookup(session: Session, user: ConsoleUser, history: CallerHistory, now: object) -> None:
    """One view_ticket entry per ticket shown, not one lookup entry: Art. 51 asks who saw which
    ticket, and a ticket's own audit trail (audit_trail(ticket_number=…)) must show this view too.
    The lookup is bounded (callers.LIMIT), so so are the entries."""
    for number in history.ticket_numbers:
        record_audit(session, user=user, action="view_ticket", ticket_number=number, at=now,  # type: ignore[arg-type]
                     detail={"via": "lookup_caller"})


@router.post("/caller")
def lookup_caller(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, user: OperatorUser,
                  _csrf: CsrfChecked, phone: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        history = caller_history(session, phone=phone)
    except InvalidInput as exc:
        if _fragment(request):
            return render(request, "assist/_caller.html", {**_common(knowledge), "history": None,
                                                           "lookup_phone": phone, "lookup_error": knowledge.messages.explain(exc)},
                          status_code=422)
        return _page(request, knowledge, lookup_phone=phone, lookup_error=knowledge.messages.explain(exc), status_code=422)
    _audit_lookup(session, user, history, now)
    if _fragment(request):
        return render(request, "assist/_caller.html", {**_common(knowledge), "history": history,
                                                       "lookup_phone": phone, "lookup_error": None})
    return _page(request, knowledge, history=history, lookup_phone=phone)
