"""Sign-in throttling in the database: counts per name and per address in a window, lockouts that
end with the injected clock or when lifted, and the client address behind trusted proxies."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

import pytest
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from bot.settings import Settings
from bot.web.console.errors import SignInLocked
from bot.web.console.models import SignInFailure, SignInLockout, ThrottleSubject
from bot.web.console.throttle import (
    ThrottlePolicy,
    active_lockout,
    check_sign_in,
    clear_account_failures,
    client_address,
    lift_lockouts,
    purge_failures,
    record_failure,
    retry_after,
)
from tests.web.console.conftest import NOW

POLICY = ThrottlePolicy(account_failures=3, address_failures=5, window=timedelta(minutes=15),
                        lockout=timedelta(minutes=10))


def _fail(engine, name: str, address: str = "10.0.0.7", at=NOW) -> list[SignInLockout]:
    with Session(engine, expire_on_commit=False) as session:
        started = record_failure(session, name=name, address=address, now=at, policy=POLICY)
        session.commit()
    return started


def _check(engine, name: str, address: str = "10.0.0.7", at=NOW) -> None:
    with Session(engine) as session:
        check_sign_in(session, name=name, address=address, now=at)


def _count(engine, kind: ThrottleSubject, subject: str) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.kind == kind, SignInFailure.subject == subject)).one()


# --------------------------------------------------------------------------- the settings


def test_the_defaults_are_five_per_name_and_twenty_per_address_in_fifteen_minutes():
    policy = ThrottlePolicy.from_settings(Settings(_env_file=None))
    assert (policy.account_failures, policy.address_failures) == (5, 20)
    assert policy.window == policy.lockout == timedelta(minutes=15)
    assert policy.trusted_proxies == ()


def test_trusted_proxies_are_read_as_a_comma_separated_list_of_addresses_or_networks(monkeypatch):
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "10.0.0.1, 10.1.0.0/16")
    policy = ThrottlePolicy.from_settings(Settings(_env_file=None))
    assert policy.trusted_proxies == (ip_network("10.0.0.1/32"), ip_network("10.1.0.0/16"))
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    with pytest.raises(ValidationError, match="console_trusted_proxies"):
        Settings(_env_file=None)


# --------------------------------------------------------------------------- the client's address

PROXY = (ip_network("10.0.0.1/32"), ip_network("192.168.5.0/24"))


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.9", None, "203.0.113.9"),
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a trusted proxy: its header is the client's word
    ("10.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # 1.2.3.4 is what the client claimed
    ("10.0.0.1", "198.51.100.1, 192.168.5.20", "198.51.100.1"),  # two trusted hops
    ("10.0.0.1", "not-an-address", "10.0.0.1"),
    ("10.0.0.1", None, "10.0.0.1"),
    (None, "198.51.100.1", "unknown"),
])
def test_the_address_counted_is_the_first_one_not_a_trusted_proxy_from_the_right(peer, forwarded, expected):
    assert client_address(peer, forwarded, trusted_proxies=PROXY) == expected


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_address("10.0.0.1", "198.51.100.1", trusted_proxies=()) == "10.0.0.1"


# --------------------------------------------------------------------------- counting and locking


def test_the_third_failure_locks_the_name_for_ten_minutes(engine, accounts):
    assert _fail(engine, "operator1") == [] and _fail(engine, "operator1") == []
    _check(engine, "operator1")  # two mistakes: still allowed
    (lockout,) = _fail(engine, "operator1")
    assert (lockout.kind, lockout.subject, lockout.until) == (ThrottleSubject.account, "operator1",
                                                              NOW + timedelta(minutes=10))
    with pytest.raises(SignInLocked) as locked:
        _check(engine, "operator1", address="10.9.9.9")  # from any address
    assert locked.value.code == "console_sign_in_locked"
    assert retry_after(locked.value.lockout, now=NOW + timedelta(seconds=30)) == 570
    _check(engine, "city1")  # another name is not concerned


def test_failures_older_than_the_window_do_not_count(engine, accounts):
    _fail(engine, "admin1", at=NOW)
    _fail(engine, "admin1", at=NOW + timedelta(minutes=10))
    assert _fail(engine, "admin1", at=NOW + timedelta(minutes=16)) == []  # the first one has gone out
    assert _fail(engine, "admin1", at=NOW + timedelta(minutes=17)) != []


def test_the_lockout_ends_with_the_clock_and_the_name_starts_again_from_nothing(engine, accounts):
    for _ in range(3):
        _fail(engine, "operator1")
    with pytest.raises(SignInLocked):
        _check(engine, "operator1", at=NOW + timedelta(minutes=10) - timedelta(seconds=1))
    later = NOW + timedelta(minutes=10)
    _check(engine, "operator1", at=later)
    assert _fail(engine, "operator1", at=later) == []  # one new mistake does not lock it again
    _check(engine, "operator1", at=later)


def test_a_name_that_does_not_exist_is_counted_and_locked_like_a_real_one(engine, accounts):
    started = [_fail(engine, "nobody-here") for _ in range(3)]
    assert started[:2] == [[], []] and started[2][0].subject == "nobody-here"
    with pytest.raises(SignInLocked) as locked:
        _check(engine, "nobody-here")
    assert locked.value.code == "console_sign_in_locked"


def test_names_are_counted_as_the_sign_in_compares_them(engine, accounts):
    _fail(engine, "operator1")
    _fail(engine, "  operator1 ")
    assert _fail(engine, "ｏｐｅｒａｔｏｒ１") != []  # full-width is the same name after NFKC


def test_failures_from_one_address_across_names_refuse_that_address(engine, accounts):
    started = [_fail(engine, name, address="198.51.100.4") for name in ("a1", "b1", "c1", "d1", "e1")]
    assert started[:4] == [[], [], [], []]
    (lockout,) = started[4]
    assert (lockout.kind, lockout.subject) == (ThrottleSubject.address, "198.51.100.4")
    with pytest.raises(SignInLocked) as locked:
        _check(engine, "admin1", address="198.51.100.4")
    assert locked.value.code == "console_sign_in_address_locked"
    _check(engine, "admin1", address="198.51.100.5")


def test_clearing_a_names_failures_leaves_the_address_count(engine, accounts):
    for _ in range(2):
        _fail(engine, "operator1", address="198.51.100.4")
    with Session(engine) as session:
        clear_account_failures(session, name="operator1")
        session.commit()
    assert _count(engine, ThrottleSubject.account, "operator1") == 0
    assert _count(engine, ThrottleSubject.address, "198.51.100.4") == 2


def test_lifting_ends_the_lockout_at_once_and_says_who(engine, accounts):
    for _ in range(3):
        _fail(engine, "operator1")
    with Session(engine) as session:
        assert lift_lockouts(session, kind=ThrottleSubject.account, subject="operator1", by="admin1",
                             now=NOW + timedelta(minutes=2)) == 1
        session.commit()
    _check(engine, "operator1", at=NOW + timedelta(minutes=2))
    with Session(engine) as session:
        row = session.exec(select(SignInLockout)).one()
        assert (row.lifted_by, row.lifted_at, row.until) == ("admin1", NOW + timedelta(minutes=2),
                                                             NOW + timedelta(minutes=10))
        assert lift_lockouts(session, kind=ThrottleSubject.account, subject="operator1", by="admin1",
                             now=NOW + timedelta(minutes=3)) == 0
        assert active_lockout(session, kind=ThrottleSubject.account, subject="operator1", now=NOW) is None


def test_purge_removes_only_failures_past_the_window(engine, accounts):
    _fail(engine, "old1", at=NOW - timedelta(minutes=20))
    _fail(engine, "new1", at=NOW - timedelta(minutes=5))
    with Session(engine) as session:
        assert purge_failures(session, now=NOW, policy=POLICY) == 2  # its name row and its address row
        session.commit()
    assert _count(engine, ThrottleSubject.account, "old1") == 0
    assert _count(engine, ThrottleSubject.account, "new1") == 1
