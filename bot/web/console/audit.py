"""The console's audit log (Art. 51): who viewed or changed which ticket, and every change to users.

An entry is written in the same transaction as what it records, so a change that is rolled back
leaves no entry claiming it happened, and a change that is saved always has one. Text in the
detail is masked (ID, phone and card numbers), since the log is read by more people than the
tickets themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.web.console.models import AuditEntry, ConsoleUser

# The log keeps actions in English (view_ticket); people read them as audit_action_<action>
# of the catalogue (knowledge/console.yml).
ACTION_LABEL_PREFIX = "audit_action_"


def action_label(action: str, knowledge: Knowledge) -> str:
    """The action in Chinese for people reading the log; unknown actions as recorded."""
    key = ACTION_LABEL_PREFIX + action
    return knowledge.messages.text(key) if key in knowledge.messages else action


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        # The privacy rules without the spaCy pipeline: the detail holds short values (names, numbers),
        # not prose, and a command-line tool that audits must not spend seconds loading a language model.
        from bot.privacy.rules import apply_masks, scan

        findings = scan(value)
        return apply_masks(value, findings) if findings else value
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def record_audit(session: Session, *, user: ConsoleUser, action: str, at: datetime,
                 ticket_number: str | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry for `user` doing `action` (English, e.g. view_ticket) at `at` (the request's
    instant), flushed with the request's transaction. `detail` must be JSON-serialisable; its text is masked."""
    entry = AuditEntry(at=at, user_name=user.name, role=user.role.value, action=action,
                       ticket_number=ticket_number, detail=_masked(detail or {}))
    session.add(entry)
    session.flush()
    return entry


SYSTEM_ROLE = "system"


def record_system_audit(session: Session, *, actor: str, action: str, at: datetime,
                        detail: dict[str, Any] | None = None) -> AuditEntry:
    """An entry for a change made outside the console (e.g. ``sbk user add`` on the server),
    with `actor` naming the tool."""
    entry = AuditEntry(at=at, user_name=actor[:32], role=SYSTEM_ROLE, action=action,
                       detail=_masked(detail or {}))
    session.add(entry)
    session.flush()
    return entry


def audit_trail(session: Session, *, ticket_number: str | None = None, user_name: str | None = None,
                limit: int = 100) -> list[AuditEntry]:
    """The latest entries (newest first), for one ticket and/or one user; uses the log's indexes."""
    query = select(AuditEntry)
    if ticket_number is not None:
        query = query.where(AuditEntry.ticket_number == ticket_number)
    if user_name is not None:
        query = query.where(AuditEntry.user_name == user_name)
    return list(session.exec(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))  # type: ignore[attr-defined]
