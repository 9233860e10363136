"""The console's words come from the catalogue (knowledge/console.yml). Keys built from a code
(a role, a handoff's state, a tab) escape the static check of tests/knowledge/test_catalogue.py:
every value of those codes must have its sentence here."""

from __future__ import annotations

from datetime import timedelta

from bot.handoff import HandoffReason, HandoffState, MessageAuthor
from bot.web.console.access import AREAS
from bot.web.console.handoff_view import age_label
from bot.web.console.models import Role
from bot.web.console.routes.handoff import _DONE as HANDOFF_DONE
from bot.web.console.routes.supervision.common import TABS
from bot.web.console.routes.supervision.tickets import CSV_COLUMNS, FINDINGS
from bot.web.console.routes.users import _DONE as USER_DONE


def test_every_code_shown_by_name_has_its_sentence(knowledge):
    keys = [role.label_key for role in Role]
    keys += [f"console_handoff_reason_{r.value}" for r in HandoffReason]
    keys += [f"console_handoff_state_{s.value}" for s in HandoffState]
    keys += [f"console_handoff_author_{a.value}" for a in MessageAuthor]
    keys += [f"console_tab_{name}" for name, _ in TABS]
    keys += [f"finding_{f}" for f in FINDINGS] + [f"console_verify_done_{f}" for f in FINDINGS]
    keys += [f"console_csv_{column}" for column in CSV_COLUMNS]
    keys += [area.label for area in AREAS] + [area.description for area in AREAS if area.description]
    keys += [*HANDOFF_DONE.values(), *USER_DONE.values()]
    assert [key for key in keys if key not in knowledge.messages] == []


def test_user_flashes_name_the_user(knowledge):
    assert all(knowledge.messages.placeholders(key) == {"name"} for key in USER_DONE.values())


def test_waiting_times_read_as_before(knowledge):
    assert [age_label(timedelta(minutes=m), knowledge) for m in (0, 5, 60, 125, 60 * 50)] == \
        ["不到 1 分钟", "5 分钟", "1 小时", "2 小时 5 分钟", "2 天"]
