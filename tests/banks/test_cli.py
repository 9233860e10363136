"""`sbk bank register` as a subprocess on a fresh SQLite file (docs/contracts.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.banks.models import BankAccount
from bot.db import make_engine
from bot.settings import PROJECT_ROOT
from bot.web.app import create_app

SBK = Path(sys.executable).with_name("sbk")
URL = "/api/bank/tickets"


def _bank(db: Path, action: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`sbk bank ACTION …` in a process of its own against the SQLite file `db`."""
    command = [str(SBK)] if SBK.exists() else [sys.executable, "-m", "bot.cli.main"]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([*command, "bank", action, *args], capture_output=True, text=True, env=env, check=False,
                          cwd=PROJECT_ROOT, timeout=120)


def sbk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _bank(db, "register", *args)


def _accounts(db: Path) -> list[BankAccount]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            return list(session.exec(select(BankAccount)))
    finally:
        engine.dispose()


def _status_with(db: Path, key: str) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with TestClient(create_app(engine=engine)) as client:
            return client.get(URL, headers={"Authorization": f"Bearer {key}"}).status_code
    finally:
        engine.dispose()


def test_register_migrates_prints_one_json_object_and_the_key_works(tmp_path):
    db = tmp_path / "fresh" / "sbk.db"
    run = sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out) == ["bank", "api_key", "webhook_secret"]
    assert out["bank"] == "中国建设银行"
    assert out["api_key"] not in run.stderr and out["webhook_secret"] not in run.stderr
    (row,) = _accounts(db)
    assert row.bank == "中国建设银行" and row.webhook_url == "https://ccb.example/sbk"
    assert row.api_key_hash != out["api_key"] and out["api_key"] not in row.api_key_hash
    assert row.api_key_hash.startswith("$argon2")
    assert _status_with(db, out["api_key"]) == 200
    assert _status_with(db, out["api_key"][:-2] + "xx") == 401


def test_second_register_rotates_the_key(tmp_path):
    db = tmp_path / "sbk.db"
    first = json.loads(sbk(db, "中国建设银行", "--webhook-url", "https://a.example/").stdout)
    second_run = sbk(db, "ccb", "--webhook-url", "https://b.example/")
    assert second_run.returncode == 0, second_run.stderr
    second = json.loads(second_run.stdout)
    assert second["bank"] == "中国建设银行"
    assert second["api_key"] != first["api_key"] and second["webhook_secret"] != first["webhook_secret"]
    (row,) = _accounts(db)
    assert row.webhook_url == "https://b.example/" and row.webhook_secret == second["webhook_secret"]
    assert _status_with(db, first["api_key"]) == 401
    assert _status_with(db, second["api_key"]) == 200


@pytest.mark.parametrize(("args", "word"), [
    (["花旗银行", "--webhook-url", "https://citi.example/"], "花旗银行"),
    (["中国建设银行", "--webhook-url", "ftp://ccb.example/"], "http"),
    (["中国建设银行", "--webhook-url", "https://"], "主机"),
    (["中国建设银行"], "--webhook-url"),
])
def test_bad_arguments_one_line_on_stderr_exit_2_nothing_written(tmp_path, args, word):
    db = tmp_path / "sbk.db"
    run = sbk(db, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1 and word in run.stderr
    assert not db.exists()


def _rotate(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _bank(db, "rotate-secret", *args)


def test_register_prints_a_standard_webhooks_secret_and_rotate_keeps_the_old_one_for_the_overlap(tmp_path):
    import base64

    db = tmp_path / "sbk.db"
    first = json.loads(sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk").stdout)
    assert first["webhook_secret"].startswith("whsec_")
    assert len(base64.b64decode(first["webhook_secret"][len("whsec_"):], validate=True)) == 32
    run = _rotate(db, "建行", "--overlap-hours", "2")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert list(out) == ["bank", "webhook_secret", "previous_secret_valid_until"]
    assert out["webhook_secret"].startswith("whsec_") and out["webhook_secret"] != first["webhook_secret"]
    assert out["webhook_secret"] not in run.stderr and first["webhook_secret"] not in run.stdout + run.stderr
    (row,) = _accounts(db)
    assert row.webhook_secret == out["webhook_secret"] and row.previous_webhook_secret == first["webhook_secret"]
    assert row.previous_secret_until.isoformat() == out["previous_secret_valid_until"]
    assert _status_with(db, first["api_key"]) == 200  # the API key is not touched by a secret rotation


@pytest.mark.parametrize(("args", "word"), [
    (["中国银行"], "尚未登记"),
    (["花旗银行"], "花旗银行"),
    (["建行", "--overlap-hours", "-1"], "负数"),
])
def test_rotate_refusals_are_one_catalogue_line_exit_2_nothing_written(tmp_path, args, word):
    db = tmp_path / "sbk.db"
    assert sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk").returncode == 0
    (before,) = _accounts(db)
    run = _rotate(db, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert word in run.stderr and len(run.stderr.strip().splitlines()) == 1
    (after,) = _accounts(db)
    assert after.webhook_secret == before.webhook_secret and after.previous_webhook_secret is None


def _set_url(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _bank(db, "set-url", *args)


def _mark_gone(db: Path) -> None:
    from datetime import datetime, timezone

    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            (account,) = session.exec(select(BankAccount))
            account.endpoint_gone_at = datetime.now(timezone.utc)
            session.add(account)
            session.commit()
    finally:
        engine.dispose()


def test_set_url_moves_the_endpoint_and_keeps_the_key_and_the_secret(tmp_path):
    db = tmp_path / "sbk.db"
    first = json.loads(sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk").stdout)
    run = _set_url(db, "ccb", "--webhook-url", "https://ccb.example/sbk-v2")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"bank": "中国建设银行", "webhook_url": "https://ccb.example/sbk-v2",
                                      "resumed": False}
    assert first["webhook_secret"] not in run.stdout + run.stderr and first["api_key"] not in run.stdout
    (row,) = _accounts(db)
    assert row.webhook_url == "https://ccb.example/sbk-v2" and row.webhook_secret == first["webhook_secret"]
    assert _status_with(db, first["api_key"]) == 200


def test_set_url_resumes_an_endpoint_that_answered_410(tmp_path):
    db = tmp_path / "sbk.db"
    assert sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk").returncode == 0
    _mark_gone(db)
    run = _set_url(db, "建行", "--webhook-url", "https://ccb.example/sbk-v2")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["resumed"] is True
    (row,) = _accounts(db)
    assert row.endpoint_gone_at is None


@pytest.mark.parametrize(("args", "word"), [
    (["中国银行", "--webhook-url", "https://boc.example/"], "尚未登记"),
    (["花旗银行", "--webhook-url", "https://citi.example/"], "花旗银行"),
    (["建行", "--webhook-url", "ftp://ccb.example/"], "http"),
    (["建行"], "--webhook-url"),
])
def test_set_url_refusals_are_one_line_exit_2_nothing_written(tmp_path, args, word):
    db = tmp_path / "sbk.db"
    assert sbk(db, "建行", "--webhook-url", "https://ccb.example/sbk").returncode == 0
    (before,) = _accounts(db)
    run = _set_url(db, *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert word in run.stderr and len(run.stderr.strip().splitlines()) == 1
    (after,) = _accounts(db)
    assert after.webhook_url == before.webhook_url and after.updated_at == before.updated_at
