"""The audit log (Art. 51): who viewed or changed which ticket; personal data masked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.console.audit import action_label, audit_trail, record_audit
from bot.web.console.models import AuditEntry, ConsoleUser
from tests.web.console.conftest import NOW


def test_an_entry_names_the_user_role_action_and_ticket_with_numbers_masked(engine, accounts):
    with Session(engine) as session:
        user = session.get(ConsoleUser, accounts["operator"].id)
        record_audit(session, user=user, action="view_ticket", ticket_number="ZB-20261127-0001", at=NOW,
                     detail={"caller": "13812345678", "note": ["身份证 370202199001011234"], "count": 2})
        session.commit()
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.user_name, entry.role, entry.action, entry.ticket_number) == \
        ("operator1", "operator", "view_ticket", "ZB-20261127-0001")
    assert entry.at == NOW
    assert entry.detail == {"caller": "138****5678", "note": ["身份证 370202********1234"], "count": 2}


def test_an_entry_is_saved_only_with_the_change_it_records(engine, accounts):
    with Session(engine) as session:
        record_audit(session, user=session.get(ConsoleUser, accounts["admin"].id), action="create_user",
                     at=NOW)
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == 0


def test_the_trail_of_a_ticket_lists_who_looked_newest_first(engine, accounts):
    with Session(engine) as session:
        for minutes, key, ticket in ((0, "operator", "ZB-20261127-0001"), (5, "city_supervisor", "ZB-20261127-0001"),
                                     (7, "admin", "ZB-20261127-0002")):
            record_audit(session, user=session.get(ConsoleUser, accounts[key].id), action="view_ticket",
                         ticket_number=ticket, at=NOW + timedelta(minutes=minutes))
        session.commit()
        trail = audit_trail(session, ticket_number="ZB-20261127-0001")
        assert [e.user_name for e in trail] == ["city1", "operator1"]
        assert [e.ticket_number for e in audit_trail(session, user_name="admin1")] == ["ZB-20261127-0002"]


def test_actions_read_in_chinese_and_unknown_ones_as_recorded(knowledge):
    assert action_label("view_ticket", knowledge) == "查看工单"
    assert action_label("something_new", knowledge) == "something_new"


def test_every_action_the_console_records_reads_in_chinese(knowledge):
    """A supervisor reading the log sees 出具一次性告知单, not issue_notice (Art. 51: who did what)."""
    import re
    from pathlib import Path

    from bot.web.console.audit import ACTION_LABEL_PREFIX

    console = Path(__file__).resolve().parents[3] / "bot" / "web" / "console"
    recorded = {m for path in console.rglob("*.py")
                for m in re.findall(r'action="([a-z_]+)"', path.read_text(encoding="utf-8"))}
    recorded |= {"deactivate_user"}  # the other branch of users.py's conditional expression
    assert recorded >= {"sign_in", "create_ticket", "view_ticket", "issue_notice", "reply_handoff"}
    assert {a for a in recorded if ACTION_LABEL_PREFIX + a not in knowledge.messages} == set()
