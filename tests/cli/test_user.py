"""`sbk user add` (docs/contracts.md): password from standard input, one confirming
line, one-line errors with exit 2 and nothing written; `sbk user unlock` lifts a sign-in lockout."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from sqlmodel import select as sql_select

from bot.cli.main import main
from bot.clock import FixedClock
from bot.db import make_engine
from bot.settings import PROJECT_ROOT, get_settings
from bot.web.console.models import AuditEntry, ConsoleUser, SignInLockout, ThrottleSubject
from bot.web.console.users import authenticate

SBK = Path(sys.executable).with_name("sbk")


def sbk_user_add(db: Path, *args: str, password: str | None = "a-good-password\n") -> subprocess.CompletedProcess:
    return subprocess.run([str(SBK), "user", "add", *args], input=password, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": f"sqlite:///{db}"}, cwd=PROJECT_ROOT, timeout=120,
                          check=False)


def _users(db: Path) -> list[ConsoleUser]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            return list(session.exec(sql_select(ConsoleUser)))
    finally:
        engine.dispose()


def test_a_piped_password_creates_the_user_who_can_then_sign_in(tmp_path):
    db = tmp_path / "fresh" / "sbk.db"
    run = sbk_user_add(db, "licang1", "--role", "district_supervisor", "--district", "李沧",
                       password="correct horse battery\n")
    assert run.returncode == 0, run.stderr
    (line,) = run.stdout.splitlines()
    assert json.loads(line) == {"name": "licang1", "role": "district_supervisor", "role_label": "区级监管人员",
                                "district": "李沧区"}
    assert "correct horse" not in run.stdout + run.stderr
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            # the whole line but its end is the password: inner spaces count
            assert authenticate(session, name="licang1", password="correct horse battery").district == "李沧区"
            entry = session.exec(sql_select(AuditEntry)).one()
            assert (entry.user_name, entry.action, entry.detail["name"]) == ("sbk user add", "create_user", "licang1")
    finally:
        engine.dispose()


def test_a_name_already_taken_is_refused_in_one_line_with_exit_2(tmp_path):
    db = tmp_path / "sbk.db"
    assert sbk_user_add(db, "admin1", "--role", "admin").returncode == 0
    run = sbk_user_add(db, "admin1", "--role", "operator", password="another-password\n")
    assert run.returncode == 2
    assert run.stderr == "sbk user add: error: 用户名 admin1 已存在\n"
    assert run.stdout == ""
    assert [(u.name, u.role.value) for u in _users(db)] == [("admin1", "admin")]


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """DATABASE_URL for the in-process runs below, in a folder that does not exist yet."""
    db = tmp_path / "never" / "sbk.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


@pytest.mark.parametrize("args, stdin, message", [
    (["zhangsan", "--role", "operator"], "short\n", "密码至少需要 10 个字符"),
    (["zhangsan", "--role", "operator"], "", "没有读到密码"),
    (["zhangsan", "--role", "operator"], "\n", "没有读到密码"),
    (["zhangsan", "--role", "operator", "--district", "李沧区"], "a-good-password\n", "只有区级监管人员"),
    (["zhangsan", "--role", "district_supervisor"], "a-good-password\n", "区级监管人员须指定所属区"),
    (["zhangsan", "--role", "district_supervisor", "--district", "浦东新区"], "a-good-password\n", "没有这个区（市）：浦东新区"),
    (["zhangsan", "--role", "boss"], "a-good-password\n", "invalid choice: 'boss'"),
    (["<script>", "--role", "admin"], "a-good-password\n", "用户名须为 2–32 个字符"),
    (["zhangsan"], "a-good-password\n", "the following arguments are required: --role"),
])
def test_bad_arguments_are_one_line_on_stderr_exit_2_and_nothing_is_written(database, monkeypatch, capsys, args,
                                                                             stdin, message):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_:
        main(["user", "add", *args])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("sbk user add: error: ") and err.count("\n") == 1
    assert message in err
    assert not database.parent.exists()


def _talk(fd: int, until: str, timeout: float = 60) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while until.encode() not in seen:
        assert time.monotonic() < deadline, f"no {until!r} from sbk; saw {seen.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def _at_terminal(db: Path, first: str, second: str) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: sbk with the pseudo-terminal as its terminal
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        os.execv(str(SBK), [str(SBK), "user", "add", "city1", "--role", "city_supervisor"])
    try:
        transcript = _talk(fd, "密码：")
        os.write(fd, first.encode() + b"\n")
        transcript += _talk(fd, "再次输入密码：")
        os.write(fd, second.encode() + b"\n")
        transcript += _talk(fd, "\n", timeout=60) + _talk(fd, "\x00", timeout=60)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), transcript


def test_at_a_terminal_the_password_is_asked_twice_without_echo(tmp_path):
    db = tmp_path / "sbk.db"
    code, transcript = _at_terminal(db, "typed-at-terminal", "typed-at-terminal")
    assert code == 0, transcript
    assert "typed-at-terminal" not in transcript  # not echoed, not printed
    assert '"name": "city1"' in transcript
    assert [u.name for u in _users(db)] == ["city1"]


def test_at_a_terminal_two_different_entries_are_refused(tmp_path):
    db = tmp_path / "sbk.db"
    code, transcript = _at_terminal(db, "typed-at-terminal", "typed-differently")
    assert code == 2
    assert "两次输入的密码不一致" in transcript
    assert not db.exists()


# --------------------------------------------------------------------------- sbk user unlock

UNLOCK_AT = datetime(2026, 11, 27, 2, 5, tzinfo=UTC)


def _locked(database: Path, kind: ThrottleSubject, subject: str) -> None:
    """A lockout in force at UNLOCK_AT, as the sign-in form would have written it."""
    from bot.db import upgrade

    upgrade(f"sqlite:///{database}")
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            session.add(SignInLockout(kind=kind, subject=subject, locked_at=UNLOCK_AT - timedelta(minutes=5),
                                      until=UNLOCK_AT + timedelta(minutes=10)))
            session.commit()
    finally:
        engine.dispose()


def _lockouts(database: Path) -> list[SignInLockout]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            return list(session.exec(sql_select(SignInLockout)))
    finally:
        engine.dispose()


@pytest.fixture
def at_unlock_time(database, monkeypatch) -> None:
    """The command's clock at UNLOCK_AT, and its engine on this test's database (not a cached one)."""
    import bot.clock
    import bot.db.engine

    monkeypatch.setattr(bot.clock, "get_clock", lambda: FixedClock(UNLOCK_AT))
    bot.db.engine.get_engine.cache_clear()
    yield
    bot.db.engine.get_engine.cache_clear()


@pytest.mark.parametrize("args, kind, subject", [
    (["zhangsan"], ThrottleSubject.account, "zhangsan"),
    (["--address", "198.51.100.23"], ThrottleSubject.address, "198.51.100.23"),
])
def test_unlock_lifts_a_name_or_an_address_and_records_it(database, at_unlock_time, capsys, args, kind, subject):
    _locked(database, kind, subject)
    assert main(["user", "unlock", *args]) == 0
    out, _err = capsys.readouterr()
    assert json.loads(out) == {"kind": kind.value, "subject": subject, "lifted": 1}
    (lockout,) = _lockouts(database)
    assert (lockout.lifted_by, lockout.lifted_at) == ("sbk user unlock", UNLOCK_AT)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            entry = session.exec(sql_select(AuditEntry)).one()
    finally:
        engine.dispose()
    assert (entry.user_name, entry.action) == ("sbk user unlock", "sign_in_unlocked")
    assert entry.detail == {"kind": kind.value, "name" if kind is ThrottleSubject.account else "address": subject}


def test_unlocking_what_is_not_locked_says_so_with_exit_1(database, at_unlock_time, capsys):
    _locked(database, ThrottleSubject.account, "zhangsan")
    assert main(["user", "unlock", "lisi"]) == 1
    assert main(["user", "unlock", "--address", "203.0.113.1"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "该用户当前没有被锁定\n该地址当前没有登录限制\n"
    assert [lockout.lifted_at for lockout in _lockouts(database)] == [None]


def test_unlock_wants_a_name_or_an_address_not_both(database, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["user", "unlock", "zhangsan", "--address", "10.0.0.1"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["user", "unlock"])
    assert not database.parent.exists()
