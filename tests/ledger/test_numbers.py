"""Ticket numbers: format, daily sequence in Asia/Shanghai, no duplicates under concurrency."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

from bot.db import new_session
from bot.ledger.models import TicketKind
from bot.ledger.numbers import next_ticket_number


def allocate(engine, kind, at):
    with new_session(engine) as session:
        number = next_ticket_number(session, kind=kind, at=at)
        session.commit()
    return number


def test_numbers_follow_the_contract_and_count_per_day_and_kind(engine):
    at = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    assert allocate(engine, TicketKind.transfer, at) == "ZB-20261127-0001"
    assert allocate(engine, TicketKind.transfer, at) == "ZB-20261127-0002"
    assert allocate(engine, TicketKind.supervision, at) == "DB-20261127-0001"


def test_the_day_is_the_shanghai_day(engine):
    # 2026-11-27 16:30 UTC is already 00:30 on the 28th in Qingdao.
    late = datetime(2026, 11, 27, 16, 30, tzinfo=timezone.utc)
    assert allocate(engine, TicketKind.transfer, late) == "ZB-20261128-0001"


def test_concurrent_writers_never_share_a_number(engine):
    at = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
    numbers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            number = allocate(engine, TicketKind.transfer, at)
            with lock:
                numbers.append(number)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 40 == len(set(numbers))
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 41))
    assert all(re.fullmatch(r"ZB-20261127-\d{4}", n) for n in numbers)
