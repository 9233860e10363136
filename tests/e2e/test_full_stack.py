"""The whole stack end to end, every part a real process on loopback, one temporary SQLite database:

telegram-test-api (harness.js) ← the real bot (`sbk telegram`) → the real Rasa server with the trained model
→ the real action server (rasa_sdk, actions/) → the ledger; and the bank API under uvicorn.

A scripted citizen complains in Chinese about a named bank and outlet, answers whatever the complaint form
asks, confirms and gets a ticket number; a simulated bank reports a result through the bank API with its
key; the citizen then receives that result as a push message.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlmodel import select

from bot.banks import register_bank
from bot.db import make_engine, new_session, upgrade
from bot.knowledge import get_knowledge
from bot.ledger.models import Case, Ticket
from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import (
    BotApiServer,
    BotProcess,
    Citizen,
    free_port,
    stop_process,
)

REGISTERED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_SERVER = (str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-m", "nlu_runtime.server")  # as in the Procfile
PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
UVICORN = PROJECT_ROOT / ".venv" / "bin" / "uvicorn"
TICKET = re.compile(r"ZB-\d{8}-\d{4}")
BANK = "中国建设银行"

# What the citizen answers to each question of the complaint form (matched on the bot's prompt).
ANSWERS = [
    ("请核对将要提交的内容", "确认"),
    ("哪一类问题", "服务态度差"),
    ("哪家合作银行", "建行"),
    ("哪个网点", "李村支行"),
    ("发生在什么时候", "11月20日上午"),
    ("说说事情经过", "柜员很不耐烦，没有解释就把我的材料退回来了"),
    ("需要工作人员回电告知", "需要回电"),
    ("请回复“需要”或“不需要”", "需要"),
    ("11位手机号码", "13912345678"),
]

class Service:
    """One real process with its log; ready when `ready_url` answers 200."""

    def __init__(self, name: str, args: list[str], *, tmp: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = tmp / f"{name}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(args, cwd=PROJECT_ROOT, env={**os.environ, **env},
                                            stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait_ready(self, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        pytest.fail(f"{self.name} did not answer {url} in time:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.process, timeout=10)


def transcript(lines: list[str], citizen: Citizen) -> str:
    """What was said, in order: the citizen's messages and every bot message read so far."""
    return "\n".join(lines + ["-- all bot messages read --"] +
                     [f"bot: {m['message'].get('text')}" for m in citizen.inbox])


def test_a_citizen_complains_gets_a_ticket_and_later_the_banks_result(tmp_path, node_modules):
    assert MODEL.is_file(), f"no trained assistant model at {MODEL}: run `make model` first"
    assert RASA.exists(), f"the Rasa environment is missing ({RASA}): run `make install`"
    started = time.monotonic()
    database_url = f"sqlite:///{tmp_path / 'sbk.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    knowledge = get_knowledge()
    with new_session(engine) as session:
        _account, api_key, _secret = register_bank(session, bank=BANK, webhook_url="https://ccb.example/sbk",
                                                   knowledge=knowledge, now=REGISTERED_AT)
        session.commit()

    actions_port, rasa_port, api_port = free_port(), free_port(), free_port()
    endpoints = tmp_path / "endpoints.yml"  # no tracker_store: Rasa keeps trackers in memory
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n', encoding="utf-8")
    quiet = {"PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    services: list[Service] = []
    bot_api = bot = None
    lines: list[str] = []
    try:
        services.append(Service("actions", [str(PYTHON), "-m", "rasa_sdk", "--actions", "actions",
                                            "--port", str(actions_port)],
                                tmp=tmp_path, env={"DATABASE_URL": database_url, **quiet}))
        services.append(Service("rasa", [*RASA_SERVER, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(rasa_port),
                                         "--model", str(MODEL), "--credentials", str(PROJECT_ROOT / "credentials.yml"),
                                         "--endpoints", str(endpoints)],
                                tmp=tmp_path, env={"PYTHONPATH": str(PROJECT_ROOT), **quiet}))
        services.append(Service("bank-api", [str(UVICORN), "bot.web.app:app", "--factory", "--host", "127.0.0.1",
                                             "--port", str(api_port)],
                                tmp=tmp_path, env={"DATABASE_URL": database_url, **quiet}))
        bot_api = BotApiServer(tmp_path)
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        deadline = time.monotonic() + 75
        actions, rasa, bank_api = services
        actions.wait_ready(f"http://127.0.0.1:{actions_port}/health", deadline)
        bank_api.wait_ready(f"http://127.0.0.1:{api_port}/openapi.json", deadline)
        rasa.wait_ready(f"{rasa_url}/status", deadline)
        bot = BotProcess(tmp_path, bot_api=bot_api, rasa=SimpleNamespace(url=rasa_url), database_url=database_url,
                         RASA_TIMEOUT="20", TELEGRAM_PUSH_INTERVAL="0.5")
        bot.start()

        citizen = Citizen(bot_api, 424242)

        def say(text: str) -> None:
            lines.append(f"citizen: {text}")
            citizen.send(text)

        def known(message: dict) -> bool:
            text = message["message"].get("text") or ""
            return bool(TICKET.search(text)) or any(key in text for key, _ in ANSWERS)

        def next_prompt(timeout: float = 20) -> str:
            """The bot's last question of this turn (or its reply with a ticket number), once it has
            stopped talking; a turn may bring several messages (an answer, then the form's question)."""
            start = citizen.cursor
            try:
                citizen.wait_for(known, timeout=timeout, what="a form question or the ticket number")
            except AssertionError as error:
                pytest.fail(f"{error}\n{transcript(lines, citizen)}\n-- bot log --\n{bot.output()[-2000:]}")
            while citizen.quiet_for(0.8):
                pass
            turn = citizen.inbox[start:]
            citizen.cursor = len(citizen.inbox)
            lines.extend(f"bot: {m['message'].get('text')}" for m in turn)
            return [m for m in turn if known(m)][-1]["message"]["text"]

        # The bot answers from the first message on (Rasa loaded, bot polling): the complaint names bank and outlet.
        say("建行李村支行的柜员态度太差了")
        reply = next_prompt(timeout=30)
        for _ in range(12):
            if TICKET.search(reply):
                break
            answer = next(a for key, a in ANSWERS if key in reply)
            say(answer)
            reply = next_prompt()
        else:
            pytest.fail(f"the complaint form never ended with a ticket number:\n{transcript(lines, citizen)}")
        number = TICKET.search(reply).group(0)
        said = [line for line in lines if line.startswith("citizen: ")]
        assert len(said) == len(set(said)), f"a question was asked twice:\n{transcript(lines, citizen)}"
        summary = next((line for line in lines if "请核对将要提交的内容" in line), "")
        for item in ("银行：中国建设银行", "网点：李村支行", "时间：11月20日上午", "139****5678"):
            assert item in summary, f"{item!r} missing from the confirmation:\n{transcript(lines, citizen)}"
        assert not any("13912345678" in line for line in lines if line.startswith("bot")), transcript(lines, citizen)

        with new_session(engine) as session:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
            assert ticket is not None, f"ticket {number} is not in the database:\n{transcript(lines, citizen)}"
            case = session.get(Case, ticket.case_id)
            assert ticket.bank == BANK, (ticket.bank, transcript(lines, citizen))
            assert case.citizen_ref == f"telegram:{citizen.chat_id}", case.citizen_ref
            assert "李村支行" in (case.outlet or ""), case

        # The simulated bank answers through the bank API with its key.
        result = "已向市民致歉，并对该柜员进行了服务规范培训"
        response = httpx.post(f"http://127.0.0.1:{api_port}/api/bank/tickets/{number}/report",
                              headers={"Authorization": f"Bearer {api_key}"},
                              json={"process": "已调取录像核实情况并约谈柜员", "result": result}, timeout=10)
        assert response.status_code == 200, f"bank API: {response.status_code} {response.text}"

        try:
            pushed = citizen.wait_for(lambda m: result in (m["message"].get("text") or ""), timeout=15,
                                      what="the pushed result of the bank")
        except AssertionError as error:
            pytest.fail(f"{error}\n{transcript(lines, citizen)}\n-- bot log --\n{bot.output()[-2000:]}")
        assert number in pushed["message"]["text"], pushed["message"]["text"]
        lines.append(f"bot (push): {pushed['message']['text']}")
        print("\n".join(lines))  # shown with -s
        assert time.monotonic() - started < 120
    finally:
        bot_log = bot.output() if bot is not None and bot.log.exists() else ""
        if bot is not None:
            bot.stop()
        if bot_api is not None:
            bot_api.stop()
        for service in reversed(services):
            service.stop()
        engine.dispose()
    assert "Traceback" not in bot_log, bot_log[-4000:]
