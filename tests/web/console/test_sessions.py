"""Server-side sessions: hashed tokens, idle and absolute limits on an injected clock, rotation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.settings import Settings
from bot.web.console.errors import SessionExpired, SessionInvalid
from bot.web.console.models import ConsoleSession, ConsoleUser
from bot.web.console.sessions import SessionPolicy, end_session, load_session, purge_expired, start_session
from tests.web.console.conftest import NOW

POLICY = SessionPolicy.from_settings(Settings(_env_file=None))


def _start(engine, user_id: int, now=NOW, replaces=None) -> str:
    with Session(engine, expire_on_commit=False) as session:
        _row, token = start_session(session, user=session.get(ConsoleUser, user_id), now=now, policy=POLICY,
                                    replaces=replaces)
        session.commit()
    return token


def _load(engine, token, now):
    with Session(engine, expire_on_commit=False) as session:
        try:
            return load_session(session, token=token, now=now, policy=POLICY)
        finally:
            session.commit()


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert POLICY == SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def test_only_a_hash_of_the_token_is_stored(engine, accounts):
    token = _start(engine, accounts["admin"].id)
    with Session(engine) as session:
        row = session.exec(select(ConsoleSession)).one()
    assert len(token) >= 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert row.csrf_token and row.csrf_token != token


def test_each_request_within_thirty_minutes_keeps_the_session_alive(engine, accounts):
    token = _start(engine, accounts["operator"].id)
    for minutes in (29, 58, 87):  # three requests 29 minutes apart: 87 minutes in all
        _row, user = _load(engine, token, NOW + timedelta(minutes=minutes))
        assert user.name == "operator1"


def test_thirty_minutes_without_a_request_end_the_session(engine, accounts, knowledge):
    token = _start(engine, accounts["operator"].id)
    _load(engine, token, NOW + timedelta(minutes=10))
    with pytest.raises(SessionExpired) as expired:
        _load(engine, token, NOW + timedelta(minutes=40))
    assert "登录已过期" in knowledge.messages.explain(expired.value)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ConsoleSession)).one() == 0
    with pytest.raises(SessionExpired):  # and it does not come back
        _load(engine, token, NOW + timedelta(minutes=41))


def test_twelve_hours_after_sign_in_the_session_ends_however_active(engine, accounts):
    token = _start(engine, accounts["city_supervisor"].id)
    minutes = 0
    while minutes + 20 < 12 * 60:
        minutes += 20
        _load(engine, token, NOW + timedelta(minutes=minutes))
    assert minutes == 11 * 60 + 40
    _load(engine, token, NOW + timedelta(hours=12) - timedelta(seconds=1))
    with pytest.raises(SessionExpired):
        _load(engine, token, NOW + timedelta(hours=12))


def test_signing_in_again_replaces_the_session_the_browser_had(engine, accounts):
    old = _start(engine, accounts["admin"].id)
    new = _start(engine, accounts["admin"].id, replaces=old)
    assert new != old
    with pytest.raises(SessionExpired):
        _load(engine, old, NOW)
    assert _load(engine, new, NOW)[1].name == "admin1"


def test_no_token_is_not_signed_in_and_an_unknown_one_is_expired(engine, accounts):
    with pytest.raises(SessionInvalid) as none:
        _load(engine, None, NOW)
    assert not isinstance(none.value, SessionExpired)
    with pytest.raises(SessionExpired):
        _load(engine, "made-up-token", NOW)


def test_signing_out_deletes_the_session(engine, accounts):
    token = _start(engine, accounts["admin"].id)
    with Session(engine) as session:
        assert end_session(session, token=token) is True
        assert end_session(session, token=token) is False
        session.commit()
    with pytest.raises(SessionExpired):
        _load(engine, token, NOW)


def test_a_deactivated_users_session_no_longer_opens(engine, accounts):
    token = _start(engine, accounts["operator"].id)
    with Session(engine) as session:
        user = session.get(ConsoleUser, accounts["operator"].id)
        user.active = False  # directly, without set_active's clean-up: the check itself must refuse
        session.add(user)
        session.commit()
    with pytest.raises(SessionExpired):
        _load(engine, token, NOW)


def test_purge_removes_only_sessions_past_a_limit(engine, accounts):
    stale = _start(engine, accounts["operator"].id, now=NOW - timedelta(hours=1))
    fresh = _start(engine, accounts["admin"].id, now=NOW - timedelta(minutes=5))
    with Session(engine) as session:
        assert purge_expired(session, now=NOW, policy=POLICY) == 1
        session.commit()
    assert _load(engine, fresh, NOW)[1].name == "admin1"
    with pytest.raises(SessionExpired):
        _load(engine, stale, NOW)
