"""Conversation tests: the stories of tests/conversations/test_*.yml against the trained model.

The model is the full assistant model (NLU and dialogue): ``models/assistant.tar.gz`` or the
path in ``SBK_ASSISTANT_MODEL``. Nothing is trained here; without a model the tests fail and
say how to train one.

Two checks:

1. ``rasa test core`` (Rasa's own story test, in .venv-rasa) predicts every action of every
   story; no story may fail, and every story must have been evaluated.
2. The same conversations live: the action server (this environment, a fresh SQLite database)
   and a Rasa server with the model are started on free ports, each story's user messages go
   through the REST channel as one citizen, and the tracker must show exactly the story's
   actions, with the slots it lists and the forms it starts and ends. A few replies are checked
   for their content (ticket numbers, due dates, one-time notices, masked phone numbers), and no
   reply may contain an unfilled {placeholder}.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.answers.layout import as_text
from bot.channels.rasa import parse_replies
from tests.rasa_server import MODEL, RASA, RASA_ENV, free_port, missing_requirements, start_rasa, stop

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BOOKKEEPING = {"action_listen", "action_extract_slots", "action_session_start"}
UNSET = object()

# Replies whose content matters, by story: (index of the user turn, pattern the turn's replies match).
REPLIES: dict[str, list[tuple[int, str]]] = {
    "no photo gets the one-time notice, registered, and the reminder declined": [
        (0, "一次性告知"), (0, r"已登记，编号 GZ-\d{8}-\d{4}"), (1, "不提醒了")],
    "an insurance-record error gets the one-time notice and a reminder": [
        (0, r"编号 GZ-\d{8}-\d{4}"), (1, r"\d+月\d+日上午我会提醒您办理（告知单 GZ-\d{8}-\d{4}）")],
    "out of scope gets a pointer to the right service": [(0, "12393")],
    "the acceptance date in the question": [(0, r"受理日期 2026-11-23，最晚发卡日为 2026-12-02")],
    "the acceptance date asked for, a wrong one, then a right one": [
        (0, "告诉我受理日期"), (1, "这个日期我没认出来"), (2, r"补换卡.*\n?.*2026-12-02")],
    "past the due date, then a complaint about it": [(0, "已经超过了这个期限")],
    "complaint with every detail, a call back and confirmation": [
        (4, r"回电：需要，手机 139\*\*\*\*5678"), (5, r"工单编号：ZB-\d{8}-\d{4}"), (6, r"转办单 ZB-\d{8}-\d{4}")],
    "corrections during the form and at the confirmation": [
        (1, "不是本市社保卡合作银行"), (8, "银行：中国工商银行"), (9, "转交中国工商银行办理")],
    "the complaint is cancelled in the middle": [(1, "已取消")],
    "a complaint that names no problem asks which kind, then goes on": [(0, "哪类问题"), (1, "哪家合作银行")],
    "the complaint is cancelled at the confirmation": [(3, "已取消")],
    "an out-of-scope question and a request for a person during the complaint": [(1, "12345"), (2, "转接")],
    "praise of a named outlet is forwarded to its bank": [(2, r"转告中国农业银行.*\n工单编号：ZB-")],
    "praise without a bank is recorded without a ticket": [(2, "您的表扬已登记。")],
    "praise cancelled": [(1, "已取消")],
    "praise corrected during the form and at the confirmation, then confirmed": [
        (2, "请核对将要转告中国农业银行的表扬"), (3, "网点：浮山后"), (4, r"转告中国农业银行.*\n工单编号：ZB-")],
    "ticket status by a number that does not exist": [(0, "没有找到工单 ZB-20200101-0001")],
    "ticket status without tickets asks for the number": [(0, "请把工单编号发给我")],
    "handoff on request": [(0, "转接")],
    "low confidence, a clarifying question, then a button": [(0, "您是想问")],
    "low confidence twice in a row hands off to a person": [(1, "转接")],
}
# Personal data that must never be echoed in full.
NEVER_SHOWN = ("13912345678",)


# --------------------------------------------------------------------------- the stories


@dataclass
class Step:
    """An action the story expects, with the slots and form change it lists after it."""

    action: str
    slots: dict[str, Any] = field(default_factory=dict)
    loop: Any = UNSET
    says: list[str] = field(default_factory=list)

    def describe(self) -> str:
        extra = [f"{k}={v!r}" for k, v in self.slots.items()]
        if self.loop is not UNSET:
            extra.append(f"active_loop={self.loop}")
        return self.action + (f" [{', '.join(extra)}]" if extra else "")


@dataclass
class Turn:
    text: str
    intent: str
    steps: list[Step] = field(default_factory=list)


def story_files() -> list[Path]:
    return sorted(HERE.glob("test_*.yml"))


def load_stories() -> dict[str, list[Turn]]:
    stories: dict[str, list[Turn]] = {}
    for path in story_files():
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            turns: list[Turn] = []
            for step in story["steps"]:
                if "user" in step:
                    turns.append(Turn(str(step["user"]), step.get("intent", "")))
                elif "action" in step:
                    turns[-1].steps.append(Step(step["action"]))
                elif "slot_was_set" in step:
                    for item in step["slot_was_set"]:
                        turns[-1].steps[-1].slots.update(item)
                elif "active_loop" in step:
                    turns[-1].steps[-1].loop = step["active_loop"]
                else:
                    raise AssertionError(f"{path.name}: {story['story']}: step not understood: {step}")
            assert story["story"] not in stories, f"duplicate story name {story['story']!r}"
            stories[story["story"]] = turns
    return stories


STORIES = load_stories()


def test_reply_checks_name_existing_stories():
    assert set(REPLIES) <= set(STORIES)


# --------------------------------------------------------------------------- the servers


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def model() -> Path:
    problem = missing_requirements(MODEL)
    if problem:
        pytest.fail(problem)
    return MODEL


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("conversations")


@pytest.fixture(scope="module")
def action_server(work: Path) -> Iterator[str]:
    port = free_port()
    log = work / "actions.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'sbk.db'}", "PYTHONWARNINGS": "ignore"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, log, timeout=120)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def endpoints(work: Path, action_server: str) -> Path:
    path = work / "endpoints.yml"
    # The tracker store of production: the same database as the ledger, personal data masked.
    path.write_text(f'action_endpoint:\n  url: "{action_server}"\n'
                    "tracker_store:\n  type: nlu_runtime.tracker_store.ProductTrackerStore\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rasa_server(model: Path, endpoints: Path, work: Path) -> Iterator[str]:
    with start_rasa(work, model=model, endpoints=endpoints, env={"DATABASE_URL": f"sqlite:///{work / 'sbk.db'}"}) as url:
        yield url


# --------------------------------------------------------------------------- rasa test core


def test_rasa_test_core_predicts_every_story(model: Path, endpoints: Path, work: Path):
    out = work / "rasa-test"
    result = subprocess.run(
        [str(RASA), "test", "core", "--model", str(model), "--stories", str(HERE), "--endpoints", str(endpoints),
         "--out", str(out)],
        check=False, cwd=ROOT, env={**os.environ, **RASA_ENV, "DATABASE_URL": f"sqlite:///{work / 'sbk.db'}"},
        capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    evaluated = re.search(r"Evaluating (\d+) stories", log)
    assert evaluated and int(evaluated.group(1)) == len(STORIES), log[-3000:]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert (yaml.safe_load(failed) or {}).get("stories") in (None, []), failed
    assert re.search(rf"Correct:\s+{len(STORIES)} / {len(STORIES)}", log), log[-3000:]


# --------------------------------------------------------------------------- live conversations


@dataclass
class Done:
    """An action the assistant ran, with what it set and said."""

    action: str
    slots: dict[str, Any] = field(default_factory=dict)
    loop: Any = None  # the active form once this action is done
    says: list[str] = field(default_factory=list)


def actual_turns(events: list[dict[str, Any]]) -> list[tuple[str, list[Done]]]:
    turns: list[tuple[str, list[Done]]] = []
    current: Done | None = None
    loop = None
    for event in events:
        kind = event.get("event")
        if kind == "active_loop":
            loop = event.get("name")
        if kind == "user":
            turns.append((event["parse_data"]["intent"].get("name", ""), []))
            current = None
        elif not turns:
            continue
        elif kind == "action":
            if event["name"] in BOOKKEEPING:
                current = None
            else:
                current = Done(event["name"], loop=loop)
                turns[-1][1].append(current)
        elif current is None:
            continue
        elif kind == "slot":
            current.slots[event["name"]] = event["value"]
        elif kind == "active_loop":
            current.loop = loop
        elif kind == "bot":
            current.says.append(event.get("text") or "")
    return turns


def mismatches(expected: list[Turn], actual: list[tuple[str, list[Done]]]) -> list[str]:
    problems: list[str] = []
    if len(actual) != len(expected):
        return [f"{len(actual)} user turns in the tracker, {len(expected)} in the story"]
    for index, (turn, (intent, done)) in enumerate(zip(expected, actual)):
        where = f"turn {index} ({turn.text!r}, classified {intent})"
        names = [d.action for d in done]
        if names != [s.action for s in turn.steps]:
            problems.append(f"{where}: ran {names}, the story says {[s.describe() for s in turn.steps]}")
            continue
        for step, did in zip(turn.steps, done):
            for name, value in step.slots.items():
                if name not in did.slots:
                    problems.append(f"{where}: {step.action} did not set {name} (set {did.slots})")
                elif did.slots[name] != value:
                    problems.append(f"{where}: {step.action} set {name}={did.slots[name]!r}, story: {value!r}")
            if step.loop is not UNSET and step.loop != did.loop:
                problems.append(f"{where}: after {step.action} the active form is {did.loop}, story: {step.loop}")
    return problems


@pytest.mark.parametrize("name", list(STORIES))
def test_conversation_live(name: str, rasa_server: str):
    turns = STORIES[name]
    sender = f"test:{uuid.uuid4().hex[:12]}"
    replies: list[list[str]] = []
    with httpx.Client(base_url=rasa_server, timeout=60) as client:
        for turn in turns:
            response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": turn.text})
            response.raise_for_status()
            # As the citizens' channels read it: a guide's paragraphs and its layout are one reply.
            said = parse_replies(response.json())
            assert all(r.answer is None or r.text == as_text(r.answer) for r in said)
            replies.append([r.text for r in said])
        tracker = client.get(f"/conversations/{sender}/tracker").json()

    transcript = "\n".join(f">> {t.text}\n" + "\n".join("   " + r.replace("\n", "\n   ") for r in said)
                           for t, said in zip(turns, replies))
    problems = mismatches(turns, actual_turns(tracker["events"]))
    assert not problems, "\n".join(problems) + "\n\n" + transcript

    for index, pattern in REPLIES.get(name, []):
        assert re.search(pattern, "\n".join(replies[index])), f"turn {index}: no match for {pattern!r}\n\n{transcript}"
    for said in replies:
        for text in said:
            assert text.strip(), transcript
            assert not re.search(r"\{[A-Za-z_]+\}", text), f"unfilled placeholder in {text!r}"
            assert not any(secret in text for secret in NEVER_SHOWN), f"personal data echoed: {text!r}"
