"""The database side of the Telegram bot's satisfaction buttons and comments (bot.satisfaction).

Each function runs in one transaction of its own (the bot calls them in a worker thread) and
returns the sentences to send, so the handlers in `bot.channels.telegram` only talk to Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.channels.replies import Say
from bot.db import new_session
from bot.reactions import ledger_reactions
from bot.satisfaction import AlreadyAnswered, CallbackError, add_comment, answer_by_citizen
from bot.workdays import WorkdayCalendar


@dataclass(frozen=True)
class ButtonReply:
    """What the citizen is told after a press; `invite_comment`: the comment prompt with 跳过 follows."""

    texts: list[str]
    invite_comment: bool = False


def record_button(engine: Engine, *, citizen_ref: str, token: str, choice: str, say: Say,
                  calendar: WorkdayCalendar, now: datetime) -> ButtonReply:
    """Record the citizen's 满意 / 基本满意 / 不满意; a second press, or a token not theirs, changes nothing."""
    knowledge = say.knowledge
    with new_session(engine) as session:
        try:
            outcome = answer_by_citizen(session, token=token, citizen_ref=citizen_ref, answer=choice,
                                        knowledge=knowledge, calendar=calendar, now=now,
                                        reactions=ledger_reactions())
        except AlreadyAnswered as exc:
            return ButtonReply([say("satisfaction_already_recorded", number=exc.params.get("number", ""))])
        except CallbackError:
            return ButtonReply([say("satisfaction_unknown")])
        ticket = outcome.ticket
        texts = [say("satisfaction_thanks", answer=knowledge.messages.text(f"satisfaction_answer_{choice}"))]
        if outcome.reopened_due:
            texts.append(say("satisfaction_reopened", number=ticket.number, bank=ticket.bank,
                             due=outcome.reopened_due))
        elif outcome.to_supervisor:
            texts.append(say("satisfaction_to_supervisor", number=ticket.number))
        session.commit()
    return ButtonReply(texts, invite_comment=True)


def record_comment(engine: Engine, *, citizen_ref: str, token: str, text: str) -> bool:
    """Keep `text` as the comment of the callback the citizen just answered; False if it is no longer open."""
    with new_session(engine) as session:
        try:
            add_comment(session, token=token, citizen_ref=citizen_ref, text=text)
        except CallbackError:
            return False
        session.commit()
    return True
