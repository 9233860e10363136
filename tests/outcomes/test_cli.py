"""`sbk events consume`: without RABBITMQ_URL it says so in Chinese and starts nothing; with it, the
waiting events are written and the command exits once the queue stays empty (--idle-exit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from bot.db import make_engine, upgrade
from bot.outcomes import Outcome
from bot.outcomes.models import ConversationOutcome
from bot.settings import PROJECT_ROOT
from tests.outcomes.test_consumer import URL, publish, queue  # noqa: F401 - fixture
from tests.outcomes.test_ingest import EVENTS

SBK = Path(sys.executable).with_name("sbk")


def _sbk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [str(SBK)] if SBK.exists() else [sys.executable, "-m", "bot.cli.main"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **env}, timeout=120)


def test_without_a_broker_the_consumer_says_so(tmp_path, knowledge):
    done = _sbk("events", "consume", env={"RABBITMQ_URL": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert done.stdout.strip() == knowledge.messages.render("cli_events_no_url")


def test_the_command_writes_the_waiting_events(tmp_path, queue):  # noqa: F811
    db = f"sqlite:///{tmp_path / 'sbk.db'}"
    upgrade(db)
    publish(EVENTS["answered"] + EVENTS["default_fallback"])
    done = _sbk("events", "consume", "--idle-exit", "1",
                env={"RABBITMQ_URL": URL, "RABBITMQ_QUEUE": queue, "DATABASE_URL": db})
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "applied": len(EVENTS["answered"]) + len(EVENTS["default_fallback"]), "repeated": 0, "rejected": 0}
    engine = make_engine(db)
    try:
        with Session(engine) as session:
            assert {r.sender_id: r.outcome for r in session.exec(select(ConversationOutcome))} == {
                "telegram:600": Outcome.answered, "telegram:605": Outcome.not_understood}
    finally:
        engine.dispose()


def test_an_unreachable_broker_is_reported_in_chinese(tmp_path, free_tcp_port):
    upgrade(f"sqlite:///{tmp_path / 'x.db'}")
    command = [str(SBK)] if SBK.exists() else [sys.executable, "-m", "bot.cli.main"]
    done = subprocess.run([*command, "events", "consume", "--idle-exit", "1"], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120,
                          env={**os.environ, "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{free_tcp_port}/%2F",
                               "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert done.returncode == 1
    assert f"无法连接 RabbitMQ（127.0.0.1:{free_tcp_port}）" in done.stderr and "guest" not in done.stderr


def test_under_a_supervisor_an_unreachable_broker_is_waited_for_until_stopped(tmp_path, free_tcp_port):
    import signal
    import time

    upgrade(f"sqlite:///{tmp_path / 'x.db'}")
    command = [str(SBK)] if SBK.exists() else [sys.executable, "-m", "bot.cli.main"]
    process = subprocess.Popen([*command, "events", "consume", "--wait-without-url"], cwd=PROJECT_ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{free_tcp_port}/%2F",
                                    "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    try:
        time.sleep(4)
        assert process.poll() is None  # still waiting: honcho would otherwise stop every service
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and json.loads(out.strip().splitlines()[-1])["applied"] == 0
    assert "unreachable" in err
