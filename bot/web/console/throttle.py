"""Sign-in throttling: too many failed sign-ins lock the name tried, or refuse the address they came from.

Every failed sign-in is counted twice, against the name as typed and against the client's address.
`account_failures` for one name within `window` lock that name for `lockout`; `address_failures` from
one address within `window` refuse that address for `lockout`, whatever names it tries next. A
locked name is refused even with the right password, and names that do not exist are counted and
locked exactly like real ones, so a lockout tells nobody which names exist.

The counts and lockouts live in the database, not in the process: the back office runs as several
processes behind a load balancer, and a guesser spreading attempts over them must meet one count.
Two processes reaching the limit at the same instant may both write a lockout; either refuses
alike, so that race is harmless and no lock is taken for it.

The failures that led to a lockout are deleted when it starts: after it ends (or is lifted) the
name or address starts again from nothing instead of being locked again by its first new mistake.
A successful sign-in clears the name's failures, never the address's: one valid account must not
let its holder reset the count of an address that is guessing at others.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from bot.settings import Settings
from bot.web.console.errors import SignInLocked
from bot.web.console.models import SUBJECT_MAX, SignInFailure, SignInLockout, ThrottleSubject
from bot.web.console.users import normalize_name

Network = IPv4Network | IPv6Network
# What request.client is when the server did not learn the peer (some test clients, unix sockets):
# such requests share one count, which is the safe side.
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int
    address_failures: int
    window: timedelta
    lockout: timedelta
    trusted_proxies: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(account_failures=settings.console_sign_in_account_failures,
                   address_failures=settings.console_sign_in_address_failures,
                   window=timedelta(minutes=settings.console_sign_in_window_minutes),
                   lockout=timedelta(minutes=settings.console_sign_in_lockout_minutes),
                   trusted_proxies=tuple(ip_network(p, strict=False) for p in settings.console_trusted_proxies))

    def limit(self, kind: ThrottleSubject) -> int:
        return self.account_failures if kind is ThrottleSubject.account else self.address_failures


# --------------------------------------------------------------------------- the client's address


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, *, trusted_proxies: tuple[Network, ...]) -> str:
    """The address a sign-in is counted against: the peer itself, unless the peer is a trusted proxy;
    then the right-most address of X-Forwarded-For that is not one (each proxy appends the address it
    saw, so entries left of the last untrusted one are whatever the client chose to send)."""
    address = peer or UNKNOWN_ADDRESS
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and _trusted(address, trusted_proxies):
        hop = hops.pop()
        try:
            ip_address(hop)
        except ValueError:
            break  # a malformed entry is not an address to count; the proxy that passed it on is
        address = hop
    return address[:SUBJECT_MAX]


def account_subject(name: str) -> str:
    """The name a failure is counted against: as the sign-in compares it (normalised), cut to the column."""
    return normalize_name(name)[:SUBJECT_MAX]


# --------------------------------------------------------------------------- lockouts


def active_lockout(session: Session, *, kind: ThrottleSubject, subject: str, now: datetime) -> SignInLockout | None:
    """The lockout of `subject` in force at `now` (the one lasting longest), or None."""
    return session.exec(select(SignInLockout).where(
        SignInLockout.kind == kind, SignInLockout.subject == subject, SignInLockout.until > now,
        col(SignInLockout.lifted_at).is_(None)).order_by(col(SignInLockout.until).desc())).first()


def active_lockouts(session: Session, *, now: datetime, kind: ThrottleSubject | None = None,
                    subjects: Iterable[str] | None = None) -> list[SignInLockout]:
    """The lockouts in force at `now`, the longest first; of one kind and of these subjects if given."""
    query = select(SignInLockout).where(SignInLockout.until > now, col(SignInLockout.lifted_at).is_(None))
    if kind is not None:
        query = query.where(SignInLockout.kind == kind)
    if subjects is not None:
        query = query.where(col(SignInLockout.subject).in_(list(subjects)))
    return list(session.exec(query.order_by(col(SignInLockout.until).desc(), col(SignInLockout.id))))


def retry_after(lockout: SignInLockout, *, now: datetime) -> int:
    """Whole seconds until the lockout ends (at least 1), for a Retry-After header."""
    return max(1, math.ceil((lockout.until - now).total_seconds()))


def check_sign_in(session: Session, *, name: str, address: str, now: datetime) -> None:
    """SignInLocked if the name or the address is locked at `now`; before any password is checked."""
    for kind, subject, code in ((ThrottleSubject.address, address, "console_sign_in_address_locked"),
                                (ThrottleSubject.account, account_subject(name), "console_sign_in_locked")):
        lockout = active_lockout(session, kind=kind, subject=subject, now=now)
        if lockout is not None:
            raise SignInLocked(code, lockout=lockout)


def _failures(session: Session, *, kind: ThrottleSubject, subject: str, since: datetime) -> int:
    return int(session.exec(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.kind == kind, SignInFailure.subject == subject, SignInFailure.at > since)).one())


def _clear(session: Session, *, kind: ThrottleSubject, subject: str) -> None:
    session.exec(delete(SignInFailure).where(  # type: ignore[call-overload]
        SignInFailure.kind == kind, SignInFailure.subject == subject))


def record_failure(session: Session, *, name: str, address: str, now: datetime,
                   policy: ThrottlePolicy) -> list[SignInLockout]:
    """Count one failed sign-in against the name and the address; the lockouts it starts (flushed)."""
    started: list[SignInLockout] = []
    for kind, subject in ((ThrottleSubject.account, account_subject(name)), (ThrottleSubject.address, address)):
        session.add(SignInFailure(kind=kind, subject=subject, at=now))
        session.flush()
        if _failures(session, kind=kind, subject=subject, since=now - policy.window) < policy.limit(kind):
            continue
        _clear(session, kind=kind, subject=subject)
        lockout = SignInLockout(kind=kind, subject=subject, locked_at=now, until=now + policy.lockout)
        session.add(lockout)
        started.append(lockout)
    session.flush()
    return started


def clear_account_failures(session: Session, *, name: str) -> None:
    """After a successful sign-in: the name's earlier mistakes no longer count."""
    _clear(session, kind=ThrottleSubject.account, subject=account_subject(name))


def purge_failures(session: Session, *, now: datetime, policy: ThrottlePolicy) -> int:
    """Delete failures older than the window (they no longer count); how many went."""
    result = session.exec(delete(SignInFailure).where(  # type: ignore[call-overload]
        SignInFailure.at <= now - policy.window))
    return int(result.rowcount or 0)


def lift_lockouts(session: Session, *, kind: ThrottleSubject, subject: str, by: str, now: datetime) -> int:
    """An administrator ends the lockouts of `subject` in force at `now` and clears its failures;
    how many were lifted (0: it was not locked, nothing changes)."""
    lockouts = active_lockouts(session, now=now, kind=kind, subjects=[subject])
    for lockout in lockouts:
        lockout.lifted_by, lockout.lifted_at = by[:64], now
        session.add(lockout)
    if lockouts:
        _clear(session, kind=kind, subject=subject)
    session.flush()
    return len(lockouts)
