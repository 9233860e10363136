"""The dispatcher against a real bank receiver process on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from datetime import timedelta

import backoff
import httpx
import pytest
from sqlalchemy import update as sql_update
from sqlmodel import select

from bot.db import new_session
from bot.forwarding import DeliveryNotFound, DeliveryNotRetryable, Dispatcher, retry_parked, verify
from bot.forwarding.models import Delivery, DeliveryState
from bot.forwarding.payload import as_utc

from .conftest import SECRET, free_port

# HTTP behaviour does not depend on the database: those tests run on SQLite only; claiming,
# back-off bookkeeping and take-over run on both.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _dispatcher(engine, clock, client, **kw) -> Dispatcher:
    options = dict(worker_id="test-dispatcher", clock=clock, max_attempts=5, base_delay=1.0, max_delay=8.0,
                   timeout=2.0, lock_seconds=10.0, jitter=None)
    options.update(kw)
    return Dispatcher(engine, client=client, **options)


def _row(engine, delivery_id) -> Delivery:
    with new_session(engine) as session:
        return session.get(Delivery, delivery_id)


@pytest.fixture
def client():
    with httpx.Client() as c:
        yield c


def test_signed_delivery_is_received_and_verified(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    hooked = []
    outcomes = _dispatcher(engine, clock, client, on_delivered=lambda conn, o: hooked.append(o)).run_once()

    assert [(o.delivery_id, o.result, o.status) for o in outcomes] == [(delivery_id, "delivered", 200)]
    assert hooked == outcomes and hooked[0].ticket_id == _row(engine, delivery_id).ticket_id
    [hit] = bank.received()
    assert hit["signature_ok"] is True
    assert hit["delivery_id"] == hit["body_delivery_id"] == str(delivery_id)
    assert hit["event"] == "ticket.created" and hit["attempt"] == "1"
    assert hit["body"]["ticket"]["bank"] == "中国建设银行"
    assert bank.accepted() == [{"delivery_id": str(delivery_id), "event": "ticket.created"}]
    row = _row(engine, delivery_id)
    assert row.state == DeliveryState.delivered and row.attempts == 1 and row.locked_by is None
    assert as_utc(row.delivered_at) == clock()
    assert _dispatcher(engine, clock, client).run_once() == []  # nothing sent twice


@sqlite_only
def test_bytes_sent_are_the_stored_body(engine, clock, bank, seed):
    """Signature covers exactly the stored bytes (checked with MockTransport, byte for byte)."""
    [delivery_id] = seed(1, url=bank.url)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler)) as mock:
        _dispatcher(engine, clock, mock).run_once()
    [request] = seen
    stored = _row(engine, delivery_id).body.encode("utf-8")
    assert request.content == stored
    assert verify(stored, SECRET, request.headers["x-sbk-signature"])
    assert request.headers["content-type"].startswith("application/json")
    assert _row(engine, delivery_id).state == DeliveryState.delivered  # 204 is a 2xx


@sqlite_only
def test_wrong_secret_is_rejected_by_the_bank_and_retried(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url, secret="not-the-banks-secret")
    [outcome] = _dispatcher(engine, clock, client).run_once()
    assert (outcome.result, outcome.status, outcome.error) == ("retry", 401, "HTTP 401")
    assert bank.received()[0]["signature_ok"] is False and bank.accepted() == []
    row = _row(engine, delivery_id)
    assert row.state == DeliveryState.pending and row.last_error == "HTTP 401"
    assert "not-the-banks-secret" not in (row.last_error or "")


def test_bank_down_then_back_same_delivery_id(engine, clock, client, seed, spawn_receiver, tmp_path):
    port = free_port()
    out = tmp_path / "down-bank"
    [delivery_id] = seed(1, url=f"http://127.0.0.1:{port}/sbk/webhook")
    dispatcher = _dispatcher(engine, clock, client)

    # 1. the bank answers 503
    first = spawn_receiver(port, out)
    first.plan({"status": 503, "body": "维护中"})
    assert dispatcher.run_once()[0].status == 503
    first.stop()

    # 2. the bank is down: connection refused
    clock.to(as_utc(_row(engine, delivery_id).next_attempt_at))
    [refused] = dispatcher.run_once()
    assert (refused.result, refused.error) == ("retry", "ConnectError")
    assert dispatcher.run_once() == []  # not due again before its back-off
    row = _row(engine, delivery_id)
    assert row.state == DeliveryState.pending and row.attempts == 2 and row.last_error == "ConnectError"

    # 3. the bank is back on the same address
    spawn_receiver(port, out)
    clock.to(as_utc(row.next_attempt_at))
    assert dispatcher.run_once()[0].result == "delivered"
    lines = [json.loads(x) for x in (out / "received.jsonl").read_text().splitlines()]
    assert [x["delivery_id"] for x in lines] == [str(delivery_id)] * 2
    assert [x["attempt"] for x in lines] == ["1", "3"]
    assert all(x["signature_ok"] for x in lines)
    assert _row(engine, delivery_id).state == DeliveryState.delivered


def test_backoff_grows_caps_then_parks_and_retry_parked_revives(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan(*[{"status": 500, "body": "<html>oops</html>", "content_type": "text/html"}] * 7)
    dispatcher = _dispatcher(engine, clock, client, max_attempts=7, base_delay=1.0, max_delay=8.0)

    delays = []
    for attempt in range(1, 8):
        [outcome] = dispatcher.run_once()
        assert outcome.attempts == attempt
        if attempt < 7:
            assert outcome.result == "retry"
            delays.append((outcome.next_attempt_at - clock()).total_seconds())
            assert dispatcher.run_once() == []  # not before its time
            clock.to(outcome.next_attempt_at)
        else:
            assert outcome.result == "parked"
    assert delays == [1, 2, 4, 8, 8, 8]

    row = _row(engine, delivery_id)
    assert row.state == DeliveryState.parked and row.attempts == 7 and row.last_error == "HTTP 500"
    clock.advance(86400)
    assert dispatcher.run_once() == []  # parked rows wait for a person
    assert len(bank.received()) == 7 and bank.accepted() == []

    with new_session(engine) as session:
        retry_parked(session, delivery_id, now=clock())
        session.commit()
    assert _row(engine, delivery_id).state == DeliveryState.pending
    [outcome] = dispatcher.run_once()
    assert (outcome.result, outcome.attempts) == ("delivered", 1)
    assert {h["delivery_id"] for h in bank.received()} == {str(delivery_id)}
    assert len(bank.accepted()) == 1


@sqlite_only
def test_full_jitter_keeps_delays_within_the_capped_backoff(engine, clock, client, bank, seed):
    ids = seed(20, url=bank.url)
    bank.plan(*[{"status": 502}] * 20)
    outcomes = _dispatcher(engine, clock, client, jitter=backoff.full_jitter,
                           base_delay=100.0, max_delay=1000.0, batch_size=20).run_once()
    assert sorted(o.delivery_id for o in outcomes) == sorted(ids)
    delays = [(o.next_attempt_at - clock()).total_seconds() for o in outcomes]
    assert all(0 <= d <= 100 for d in delays)
    assert len(set(delays)) > 15  # spread, not one wave hitting the bank at once


@sqlite_only
def test_slow_bank_times_out_and_is_retried(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan({"sleep": 5})
    started = time.monotonic()
    [outcome] = _dispatcher(engine, clock, client, timeout=0.5, lock_seconds=5).run_once()
    assert time.monotonic() - started < 3
    assert (outcome.result, outcome.status, outcome.error) == ("retry", None, "ReadTimeout")
    clock.to(outcome.next_attempt_at)
    assert _dispatcher(engine, clock, client).run_once()[0].result == "delivered"
    assert [h["delivery_id"] for h in bank.received()] == [str(delivery_id)] * 2


@sqlite_only
@pytest.mark.parametrize("action", [
    {"status": 200, "body": "<html>not json</html>", "content_type": "text/html"},
    {"status": 202, "body": ""},
    {"status": 200, "endless": True},
    {"status": 200, "trickle": 0.2},
], ids=["html", "empty", "endless-body", "trickling-body"])
def test_any_2xx_is_delivered_whatever_the_body(engine, clock, client, bank, seed, action):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan(action)
    started = time.monotonic()
    [outcome] = _dispatcher(engine, clock, client, timeout=1.0, lock_seconds=5).run_once()
    assert time.monotonic() - started < 4  # an endless answer is cut off (64 KiB / the deadline)
    assert outcome.result == "delivered"
    assert _row(engine, delivery_id).state == DeliveryState.delivered


@sqlite_only
def test_response_read_stops_at_the_limit(engine, clock, seed, bank):
    """A huge 2xx answer is read at most up to 64 KiB (counted at the source)."""
    seed(1, url=bank.url)
    sent = []

    class Endless(httpx.SyncByteStream):
        def __iter__(self):
            while True:
                sent.append(16384)
                yield b"y" * 16384

    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=Endless()))) as mock:
        [outcome] = _dispatcher(engine, clock, mock).run_once()
    assert outcome.result == "delivered"
    assert sum(sent) <= 64 * 1024


@sqlite_only
@pytest.mark.parametrize(("action", "error"), [
    ({"status": 302, "location": "/elsewhere"}, "HTTP 302"),
    ({"status": 400, "body": "{\"error\": \"bad\"}"}, "HTTP 400"),
    ({"status": 404, "body": "\x00\xff junk"}, "HTTP 404"),
    ({"status": 500, "body": "x" * 200000}, "HTTP 500"),
], ids=["redirect-not-followed", "400", "404-junk", "500-huge"])
def test_non_2xx_is_retried_later(engine, clock, client, bank, seed, action, error):
    """3xx, 4xx (not only 408/429) and 5xx are all retried: documented in docs/bank-integration.md."""
    [delivery_id] = seed(1, url=bank.url)
    bank.plan(action)
    dispatcher = _dispatcher(engine, clock, client)
    [outcome] = dispatcher.run_once()
    assert (outcome.result, outcome.error) == ("retry", error)
    assert [h["path"] for h in bank.received()] == ["/sbk/webhook"]  # the redirect was not followed
    clock.to(outcome.next_attempt_at)
    assert dispatcher.run_once()[0].result == "delivered"
    assert [h["delivery_id"] for h in bank.accepted()] == [str(delivery_id)]


@sqlite_only
def test_retry_after_of_a_busy_bank_is_honoured(engine, clock, client, bank, seed):
    seed(1, url=bank.url)
    bank.plan({"status": 429, "retry_after": 5})
    [outcome] = _dispatcher(engine, clock, client, base_delay=1.0, max_delay=8.0).run_once()
    assert outcome.result == "retry" and outcome.status == 429
    assert outcome.next_attempt_at - clock() == timedelta(seconds=5)


@sqlite_only
def test_unregistered_bank_waits_instead_of_being_dropped(engine, clock, client, seed):
    [delivery_id] = seed(1)
    [outcome] = _dispatcher(engine, clock, client).run_once()
    assert (outcome.result, outcome.error) == ("retry", "no webhook registered for this bank")
    assert _row(engine, delivery_id).state == DeliveryState.pending


def test_concurrent_dispatchers_deliver_each_row_exactly_once(engine, clock, bank, seed):
    ids = seed(30, url=bank.url)
    bank.reset(bank.dir, delay=0.02)  # each delivery takes a moment, so the dispatchers overlap
    start = threading.Barrier(2)
    done: dict[str, list] = {}

    def work(name: str) -> None:
        outcomes = []
        with httpx.Client() as own_client:
            dispatcher = _dispatcher(engine, clock, own_client, worker_id=name, batch_size=1)
            start.wait()
            while batch := dispatcher.run_once():
                outcomes += batch
        done[name] = outcomes

    threads = [threading.Thread(target=work, args=(name,)) for name in ("alpha", "beta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    received = [h["delivery_id"] for h in bank.received()]
    assert sorted(received) == sorted(str(i) for i in ids)  # every row once, none twice
    assert len(done["alpha"]) + len(done["beta"]) == 30
    assert done["alpha"] and done["beta"]  # both really took part
    assert all(o.result == "delivered" for o in done["alpha"] + done["beta"])
    with new_session(engine) as session:
        assert {d.state for d in session.exec(select(Delivery)).all()} == {DeliveryState.delivered}


def test_expired_lock_is_taken_over_with_the_same_id(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    crashed = _dispatcher(engine, clock, client, worker_id="crashed", lock_seconds=10)
    assert len(crashed._claim(1)) == 1  # claimed, then the process "dies" before sending
    rescuer = _dispatcher(engine, clock, client, worker_id="rescuer")
    assert rescuer.run_once() == []  # lock still valid
    clock.advance(10.001)
    [outcome] = rescuer.run_once()
    assert (outcome.result, outcome.attempts) == ("delivered", 2)
    assert [h["delivery_id"] for h in bank.accepted()] == [str(delivery_id)]


@sqlite_only
def test_async_client(engine, clock, bank, seed):
    ids = seed(3, url=bank.url)

    async def main():
        async with httpx.AsyncClient() as aclient:
            dispatcher = _dispatcher(engine, clock, aclient, batch_size=10)
            with pytest.raises(TypeError):
                dispatcher.run_once()
            return await dispatcher.arun_once()

    outcomes = asyncio.run(main())
    assert sorted(o.delivery_id for o in outcomes) == sorted(ids)
    assert all(o.result == "delivered" for o in outcomes)
    assert sorted(h["delivery_id"] for h in bank.accepted()) == sorted(str(i) for i in ids)


@sqlite_only
def test_run_forever_stops_on_event(engine, client, bank, seed):
    ids = seed(2, url=bank.url)
    stop = threading.Event()
    dispatcher = Dispatcher(engine, client=client, worker_id="forever", timeout=2.0)
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,), kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(bank.accepted()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert sorted(h["delivery_id"] for h in bank.accepted()) == sorted(str(i) for i in ids)


@sqlite_only
def test_payload_over_the_wire_masks_contact_without_consent(engine, clock, client, bank, seed):
    seed(1, url=bank.url, consent=False)
    seed(1, consent=True)
    _dispatcher(engine, clock, client).run_once()
    bodies = [h["body"] for h in bank.received()]
    by_consent = {b["ticket"]["contact"]["consent"]: b for b in bodies}
    masked, open_ = by_consent[False], by_consent[True]
    assert masked["ticket"]["contact"]["name"] is None
    assert masked["ticket"]["contact"]["phone"] not in (None, "13812345678")
    assert "13812345678" not in json.dumps(masked, ensure_ascii=False)
    assert open_["ticket"]["contact"] == {"consent": True, "name": "张三", "phone": "13812345678"}


@sqlite_only
def test_dispatcher_rejects_unsafe_settings(engine, client):
    with pytest.raises(ValueError, match="lock_seconds"):
        Dispatcher(engine, client=client, timeout=10, lock_seconds=5)
    with pytest.raises(ValueError):
        Dispatcher(engine, client=client, max_attempts=0)
    with pytest.raises(ValueError):
        Dispatcher(engine, client=client, base_delay=10, max_delay=5)


@sqlite_only
def test_retry_parked_refuses_what_it_must_not_touch(engine, clock, client, bank, seed):
    [delivered_id] = seed(1, url=bank.url)
    with new_session(engine) as session:
        with pytest.raises(DeliveryNotFound):
            retry_parked(session, uuid.uuid4(), now=clock())
    assert _dispatcher(engine, clock, client).run_once()[0].delivery_id == delivered_id
    held_id, waiting_id = seed(2)
    with engine.begin() as conn:  # one is being sent right now, the other waits for its back-off
        conn.execute(sql_update(Delivery.__table__).where(Delivery.__table__.c.id == held_id)
                     .values(locked_by="busy", locked_until=clock() + timedelta(seconds=30)))
        conn.execute(sql_update(Delivery.__table__).where(Delivery.__table__.c.id == waiting_id)
                     .values(attempts=3, next_attempt_at=clock() + timedelta(hours=1)))
    with new_session(engine) as session:
        with pytest.raises(DeliveryNotRetryable, match="already delivered"):
            retry_parked(session, delivered_id, now=clock())
        with pytest.raises(DeliveryNotRetryable, match="busy"):
            retry_parked(session, held_id, now=clock())
        retry_parked(session, waiting_id, now=clock())
        session.commit()
    row = _row(engine, waiting_id)
    assert as_utc(row.next_attempt_at) == clock() and row.attempts == 3
    assert _row(engine, held_id).locked_by == "busy"
