"""The message catalogue: one place for every sentence, and code that names only sentences that exist.

The source is read, not run: every refusal raised with a literal code, every sentence rendered by
key and every dialogue response an action sends must exist in the catalogue, with the values its
placeholders need. A sentence deleted from knowledge/ or a placeholder renamed fails here, not in
front of a citizen.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
from pathlib import Path
from string import Template

import pytest
import yaml

import bot
from bot.cli.catalogue import DOMAIN_RESPONSES, domain_responses
from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.catalogue import Refusal, Term, to_rasa_template
from bot.ledger.models import TicketState

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")])
# Say (bot/channels/replies.py) adds the service phone to every channel sentence.
ALWAYS_GIVEN = {"service_phone"}


def refusal_classes() -> set[str]:
    """Names of Refusal and every subclass in bot/ (imported so that all of them are defined)."""
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if not info.name.startswith(("bot.cli", "bot.channels.telegram")):
            importlib.import_module(info.name)
    found, todo = set(), [Refusal]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def calls():
    """(file:line, kind, key, keyword names or None when ** passes more) for each use of a sentence."""
    refusals = refusal_classes()
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            names = {k.arg for k in node.keywords if k.arg is not None}
            spread = any(k.arg is None for k in node.keywords)
            first = node.args[0] if node.args else None
            literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            if name in refusals and literal is not None:
                yield f"{where}:{node.lineno}", "message", literal, None if spread else names - {"field"}
            elif name in ("render", "say") and literal is not None:
                given = names | (ALWAYS_GIVEN if name == "say" else set())
                yield f"{where}:{node.lineno}", "message", literal, None if spread else given
            elif (reply := next((k.value for k in node.keywords if k.arg == "reply"), None)) is not None \
                    and isinstance(reply, ast.Constant):
                yield f"{where}:{node.lineno}", "message", reply.value, None  # values given by the callee
            elif name == "utter_message":
                response = next((k.value for k in node.keywords if k.arg == "response"), None)
                if isinstance(response, ast.Constant):
                    yield f"{where}:{node.lineno}", "response", response.value, None if spread else names


@pytest.fixture(scope="module")
def uses():
    return list(calls())


def test_the_scan_finds_the_code_that_speaks(uses):
    """A scan that found nothing would pass everything: it must see refusals, renders and responses."""
    keys = {key for _, _, key, _ in uses}
    assert {"ticket_not_found", "objection_too_late", "handoff_reply_too_long"} <= keys  # refusals
    assert {"notice_result", "channel_status_line", "handoff_unavailable"} <= keys  # rendered sentences
    assert {"utter_ticket_status", "utter_notice_registered"} <= keys  # dialogue responses
    assert len(uses) > 150


def test_every_sentence_named_in_code_exists_with_its_values(uses, knowledge):
    slots = set(yaml.safe_load((ROOT / "domain" / "domain.yml").read_text(encoding="utf-8"))["slots"])
    problems = []
    for where, kind, key, given in uses:
        if kind == "message":
            if key not in knowledge.messages:
                problems.append(f"{where}: no sentence {key!r}")
            elif given is not None and (missing := knowledge.messages.placeholders(key) - given):
                problems.append(f"{where}: {key!r} needs {sorted(missing)}")
        else:
            response = knowledge.messages.responses.get(key)
            if response is None:
                problems.append(f"{where}: no response {key!r}")
                continue
            needed = set(Template(response.text).get_identifiers())
            if given is not None and (missing := needed - given - slots):
                problems.append(f"{where}: {key!r} needs {sorted(missing)}")
    assert problems == []


def test_terms_name_sentences_for_every_state_and_step(knowledge):
    """Refusals name a ticket's state and the bank's step as catalogue terms (ledger/tickets.py)."""
    for state in TicketState:
        assert f"ticket_state_{state.value}" in knowledge.messages
    for step in ("acknowledge", "extend", "report"):
        assert f"bank_step_{step}" in knowledge.messages


def test_a_refusal_is_said_in_chinese_and_logged_without_its_values(knowledge):
    refusal = Refusal("ticket_state_forbids", number="ZB-20261127-0001", state=Term("ticket_state_closed"),
                      step=Term("bank_step_report"))
    assert knowledge.messages.explain(refusal) == "工单 ZB-20261127-0001 当前状态为已办结，不能反馈处理情况"
    assert str(refusal) == "ticket_state_forbids(number, state, step)"
    assert "ZB-" not in str(refusal)


def test_the_dialogue_says_what_the_catalogue_says(knowledge):
    """domain/responses.yml is generated: `sbk catalogue write` after editing knowledge/responses.yml."""
    assert DOMAIN_RESPONSES.read_text(encoding="utf-8") == domain_responses(knowledge)
    generated = yaml.safe_load(DOMAIN_RESPONSES.read_text(encoding="utf-8"))["responses"]
    assert generated["utter_ticket_status"][0]["text"].startswith("{kind} {number}")
    assert [b["payload"] for b in generated["utter_notice_registered"][0]["buttons"]] == ["/other_affirm",
                                                                                          "/other_deny"]


def test_one_placeholder_syntax_turns_into_the_dialogues():
    assert to_rasa_template("工单 ${number}（$bank）收费 $$20") == "工单 {number}（{bank}）收费 $20"


def test_no_sentence_of_the_assistant_is_left_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain" / "domain.yml").read_text(encoding="utf-8"))
    assert "responses" not in domain


@pytest.fixture
def knowledge_copy(tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    return copy


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + line + "\n", encoding="utf-8")


def test_a_key_in_two_files_is_refused(knowledge_copy):
    _append(knowledge_copy / "errors.yml", "  greet: 您好")
    with pytest.raises(KnowledgeError, match="greet.*also in replies.yml"):
        load_knowledge(knowledge_copy)


def test_a_sentence_citing_an_article_the_measures_lack_is_refused(knowledge_copy):
    _append(knowledge_copy / "errors.yml", "  made_up: 依据《办法》第九十九条不予受理")
    with pytest.raises(KnowledgeError, match="第九十九条"):
        load_knowledge(knowledge_copy)


def test_a_response_with_a_bare_brace_is_refused(knowledge_copy):
    _append(knowledge_copy / "responses.yml", "  utter_broken:\n    text: 工单 {number}")
    with pytest.raises(KnowledgeError, match="brace"):
        load_knowledge(knowledge_copy)
