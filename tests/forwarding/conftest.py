"""Fixtures for forwarding: a real bank receiver process, tickets in the database, a settable clock."""

from __future__ import annotations

import itertools
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from bot.banks.models import BankAccount
from bot.db import new_session
from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState

ROOT = Path(__file__).resolve().parents[2]
RECEIVER = Path(__file__).with_name("bank_receiver.py")
BANK = "中国建设银行"
# A secret in the Standard Webhooks form, as `sbk bank register` issues them now.
SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
# A secret issued before that form (secrets.token_urlsafe(32)): banks registered then keep it.
LEGACY_SECRET = "q3Vt9bZk1-Lx0pYw_7cRfH2sNd4eUa8mTg6oJiKvB5E"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Receiver:
    """Handle on a bank receiver process (tests/forwarding/bank_receiver.py)."""

    port: int
    dir: Path
    secret: str = SECRET
    proc: subprocess.Popen | None = None
    _generation: itertools.count = field(default_factory=itertools.count)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/sbk/webhook"

    def start(self) -> Receiver:
        self.proc = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--port", str(self.port), "--dir", str(self.dir), "--secret", self.secret],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"receiver exited: {self.proc.stderr.read().decode()}")
            try:
                if httpx.get(f"{self.base}/_health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("receiver did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def reset(self, out: Path, *, delay: float = 0.0, scheme: str = "sbk") -> None:
        """New output folder; `scheme` "standard" makes the bank verify with the standardwebhooks library."""
        self.dir = out
        httpx.post(f"{self.base}/_reset",
                   json={"dir": str(out), "secret": self.secret, "delay": delay, "scheme": scheme}, timeout=5)

    def plan(self, *actions: dict) -> None:
        httpx.post(f"{self.base}/_plan", json={"actions": list(actions)}, timeout=5).raise_for_status()

    def _read(self, name: str) -> list[dict]:
        path = self.dir / name
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def received(self) -> list[dict]:
        return self._read("received.jsonl")

    def accepted(self) -> list[dict]:
        return self._read("accepted.jsonl")

    def wait_received(self, n: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= n:
                return got
            time.sleep(0.02)
        raise AssertionError(f"receiver got {len(self.received())} requests, expected {n}")


@pytest.fixture(scope="session")
def _shared_receiver(tmp_path_factory):
    receiver = Receiver(port=free_port(), dir=tmp_path_factory.mktemp("bank")).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def bank(_shared_receiver, tmp_path) -> Receiver:
    """The bank's receiver, reset for this test (own output folder, empty plan)."""
    _shared_receiver.secret = SECRET
    _shared_receiver.reset(tmp_path / "bank")
    return _shared_receiver


@pytest.fixture
def spawn_receiver(tmp_path):
    """Start extra receivers (e.g. on a port that was down a moment ago); stopped after the test."""
    started: list[Receiver] = []

    def spawn(port: int | None = None, out: Path | None = None) -> Receiver:
        receiver = Receiver(port=port or free_port(), dir=out or tmp_path / f"bank{len(started)}")
        started.append(receiver)
        return receiver.start()

    yield spawn
    for receiver in started:
        receiver.stop()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def to(self, moment: datetime) -> None:
        self.now = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@pytest.fixture
def clock() -> Clock:
    return Clock()


_numbers = itertools.count(1)


def make_case(*, consent: bool = False, intent: str = "complaint/fees", kind: CaseKind = CaseKind.complaint,
              description: str = "网点收了我20元办卡费，我的电话13812345678，身份证370202199001011234。",
              phone: str | None = "13812345678", name: str | None = "张三", channel: str = "hotline_12333",
              bank: str = BANK) -> Case:
    return Case(kind=kind, intent=intent, bank=bank, outlet="李村支行", district="李沧区", channel=channel,
                description=description, contact_name=name, contact_phone=phone, consent_to_contact=consent,
                received_at=datetime(2026, 11, 27, 1, 30, tzinfo=timezone.utc))


def add_ticket(session, case: Case, *, kind: TicketKind = TicketKind.transfer, parent: Ticket | None = None,
               bank: str = BANK) -> Ticket:
    session.add(case)
    session.flush()
    prefix = "ZB" if kind == TicketKind.transfer else "DB"
    ticket = Ticket(kind=kind, bank=bank, outlet=case.outlet, due_date=date(2026, 12, 4), due_provisional=False,
                    number=f"{prefix}-20261127-{next(_numbers):04d}", case_id=case.id,
                    parent_id=parent.id if parent else None, state=TicketState.created,
                    created_at=datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc))
    session.add(ticket)
    session.flush()
    return ticket


def register_bank(session, url: str, *, secret: str = SECRET, bank: str = BANK) -> None:
    session.add(BankAccount(bank=bank, webhook_url=url, api_key_hash="not-used-here", api_key_prefix="k_test",
                            webhook_secret=secret, updated_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)))


@pytest.fixture
def seed(engine, knowledge, clock):
    """seed(n, url=…) → ids of n committed ticket.created deliveries for BANK, its webhook at `url`."""
    from bot.forwarding import TICKET_CREATED, enqueue

    def _seed(n: int = 1, *, url: str | None = None, secret: str = SECRET, consent: bool = False) -> list:
        ids = []
        with new_session(engine) as session:
            if url is not None:
                register_bank(session, url, secret=secret)
            for _ in range(n):
                case = make_case(consent=consent)
                ticket = add_ticket(session, case)
                delivery = enqueue(session, ticket=ticket, case=case, event=TICKET_CREATED, knowledge=knowledge,
                                   now=clock())
                ids.append(delivery.id)
            session.commit()
        return ids

    return _seed
