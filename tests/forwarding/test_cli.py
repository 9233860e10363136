"""`sbk dispatch` and `sbk deliveries list|retry` as operators run them, against DATABASE_URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from bot.db import new_session
from bot.forwarding import Dispatcher
from bot.forwarding.models import Delivery, DeliveryState
from bot.forwarding.payload import as_utc

from .conftest import ROOT

SBK = str(ROOT / ".venv" / "bin" / "sbk")
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def sbk(db_url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run([SBK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _row(engine, delivery_id) -> Delivery:
    with new_session(engine) as session:
        return session.get(Delivery, delivery_id)


@pytest.fixture
def now_clock(clock):
    """Rows due by the wall clock, which the subprocesses use."""
    clock.to(datetime.now(timezone.utc) - timedelta(seconds=1))
    return clock


@pytest.fixture
def cli(db_url, monkeypatch, capsys):
    """Run `sbk …` in this process against `db_url` (fast); returns (exit status, stdout, stderr)."""
    from bot.cli.main import main
    from bot.db.engine import get_engine
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    get_engine.cache_clear()

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    get_engine().dispose()
    monkeypatch.delenv("DATABASE_URL")
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_parked_delivery_listed_retried_and_dispatched(db_url, engine, now_clock, bank, seed, cli):
    parked_id, other_id = seed(2, url=bank.url)
    bank.plan({"status": 500})
    with httpx.Client() as client:
        dispatcher = Dispatcher(engine, client=client, clock=now_clock, max_attempts=1, base_delay=1, max_delay=2,
                                timeout=2, batch_size=1)
        [outcome] = dispatcher.run_once()
    if outcome.delivery_id != parked_id:  # both were due at once; name them by what happened
        parked_id, other_id = other_id, parked_id
    assert outcome.result == "parked"

    code, out, err = cli("deliveries", "list")
    assert code == 0, err
    rows = _lines(out)
    assert sorted(r["id"] for r in rows) == sorted([str(parked_id), str(other_id)])
    assert {r["id"]: r["state"] for r in rows} == {str(parked_id): "parked", str(other_id): "pending"}
    assert all("body" not in r and r["ticket_number"].startswith("ZB-") for r in rows)

    code, out, _ = cli("deliveries", "list", "--state", "parked")
    assert [(r["id"], r["state"], r["attempts"], r["last_error"]) for r in _lines(out)] == [
        (str(parked_id), "parked", 1, "HTTP 500")]

    code, out, err = cli("deliveries", "retry", str(parked_id))
    assert code == 0, err
    assert _lines(out)[0]["state"] == "pending"
    assert _lines(cli("deliveries", "list", "--state", "parked")[1]) == []

    sent = sbk(db_url, "dispatch", "--once", "--worker-id", "cli-once")  # the real command, DATABASE_URL set
    assert sent.returncode == 0, sent.stderr
    assert {(o["id"], o["result"]) for o in _lines(sent.stdout)} == {(str(parked_id), "delivered"),
                                                                      (str(other_id), "delivered")}
    assert sorted(h["delivery_id"] for h in bank.accepted()) == sorted([str(parked_id), str(other_id)])
    assert [h["delivery_id"] for h in bank.received()].count(str(parked_id)) == 2  # same id both times
    assert _row(engine, parked_id).state == DeliveryState.delivered

    code, _, err = cli("deliveries", "retry", str(parked_id))
    assert code == 1 and "already delivered" in err


@sqlite_only
def test_operator_errors_are_one_line_with_exit_codes(db_url, cli):
    cases = [
        (("deliveries", "retry", "not-a-uuid"), 2, "not a delivery id"),
        (("deliveries", "retry", str(uuid.uuid4())), 1, "no delivery"),
        (("deliveries", "list", "--state", "lost"), 2, "invalid choice"),
        (("deliveries",), 2, "required"),
        (("dispatch", "--timeout", "0"), 2, "must be positive"),
        (("dispatch", "--once", "--timeout", "10", "--lock-seconds", "5"), 2, "twice"),
        (("dispatch", "--once", "--base-delay", "100", "--max-delay", "10"), 2, "--base-delay"),
    ]
    for args, code, message in cases:
        got, out, err = cli(*args)
        assert got == code, (args, err)
        assert message in err, (args, err)
        assert len(err.strip().splitlines()) == 1, (args, err)
        assert out == ""
    real = sbk(db_url, "deliveries", "retry", str(uuid.uuid4()))  # and so does the installed command
    assert real.returncode == 1 and real.stderr.startswith("sbk deliveries retry: no delivery")
    assert len(real.stderr.strip().splitlines()) == 1


def test_killed_dispatcher_is_taken_over_with_the_same_delivery_id(db_url, engine, now_clock, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan({"sleep": 60})  # the bank holds the first request open
    env = {**os.environ, "DATABASE_URL": db_url}
    proc = subprocess.Popen(
        [SBK, "dispatch", "--worker-id", "doomed", "--timeout", "1.5", "--lock-seconds", "3", "--poll-interval", "0.1"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        bank.wait_received(1, timeout=20)
    except AssertionError as exc:
        proc.kill()
        raise AssertionError(f"{exc}; dispatcher said: {proc.communicate(timeout=10)[1].decode()[-2000:]}") from None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    row = _row(engine, delivery_id)
    assert (row.state, row.locked_by, row.attempts) == (DeliveryState.pending, "doomed", 1)
    locked_until = as_utc(row.locked_until)

    with httpx.Client() as client:
        rescuer = Dispatcher(engine, client=client, worker_id="rescuer", timeout=1, lock_seconds=2)
        assert rescuer.run_once() == []  # the dead dispatcher's lock is respected until it expires
        time.sleep(max(0.0, (locked_until - datetime.now(timezone.utc)).total_seconds()) + 0.1)
        [outcome] = rescuer.run_once()
    assert (outcome.delivery_id, outcome.result, outcome.attempts) == (delivery_id, "delivered", 2)

    received = bank.received()
    assert [h["delivery_id"] for h in received] == [str(delivery_id)] * 2  # the SAME id again
    assert received[0]["body"] == received[1]["body"] and all(h["signature_ok"] for h in received)
    assert [h["delivery_id"] for h in bank.accepted()] == [str(delivery_id)]  # nothing lost
    assert _row(engine, delivery_id).state == DeliveryState.delivered


def test_state_choices_match_the_model():
    from bot.cli.dispatch import STATES

    assert STATES == tuple(s.value for s in DeliveryState)
