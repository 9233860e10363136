"""What a bank's IT team checks: deliveries verify with the `standardwebhooks` library itself.

Against the loopback bank receiver (tests/forwarding/bank_receiver.py): webhook-id is X-SBK-Delivery
on every retry while webhook-timestamp is the attempt's; X-SBK-Signature still verifies as the guide
documents; an old timestamp can be refused; a rotation's overlap; old-format secrets; Retry-After on
429 and 503; 410 Gone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import time_machine
from sqlmodel import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bot.banks import register_bank, rotate_webhook_secret
from bot.banks.models import BankAccount
from bot.db import new_session
from bot.forwarding.models import Delivery, DeliveryState
from bot.forwarding.payload import as_utc

from .conftest import BANK, LEGACY_SECRET, SECRET
from .test_cli import cli, now_clock  # noqa: F401 - fixtures
from .test_dispatcher import _dispatcher, client, sqlite_only  # noqa: F401 - client is a fixture

# The bank receiver checks webhook-timestamp against the machine's real clock.
pytestmark = pytest.mark.real_clock



def library_verify(secret: str | bytes, hit: dict) -> None:
    """Webhook(secret).verify at the instant the request was signed (raises WebhookVerificationError)."""
    signed_at = datetime.fromtimestamp(int(hit["headers"]["webhook-timestamp"]), tz=timezone.utc)
    with time_machine.travel(signed_at, tick=False):
        Webhook(secret).verify(hit["raw"].encode("utf-8"), hit["headers"])


def documented_sbk_signature(raw: str, secret: str) -> str:
    """X-SBK-Signature as docs/bank-integration.md defines it: the secret exactly as printed."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw.encode("utf-8"), hashlib.sha256).hexdigest()


def test_a_bank_using_the_library_accepts_the_delivery(engine, now_clock, client, bank, seed):
    bank.reset(bank.dir, scheme="standard")  # the receiver verifies with Webhook(secret).verify, real clock
    [delivery_id] = seed(1, url=bank.url)
    [outcome] = _dispatcher(engine, now_clock, client).run_once()
    assert outcome.result == "delivered"
    [hit] = bank.received()
    assert hit["signature_ok"] is True
    headers = hit["headers"]
    assert headers["webhook-id"] == headers["x-sbk-delivery"] == hit["body"]["delivery_id"] == str(delivery_id)
    assert headers["webhook-timestamp"] == str(int(now_clock().timestamp()))
    assert Webhook(SECRET).verify(hit["raw"].encode("utf-8"), headers) == hit["body"]
    assert headers["x-sbk-signature"] == documented_sbk_signature(hit["raw"], SECRET)
    # One secret, one signature: nothing for a bank to guess.
    assert len(headers["webhook-signature"].split(" ")) == 1


@sqlite_only
def test_webhook_id_is_stable_across_retries_and_the_timestamp_is_each_attempts(engine, clock, client, bank, seed):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan({"status": 500}, {"status": 200})
    dispatcher = _dispatcher(engine, clock, client)
    first_at = clock()
    assert [o.result for o in dispatcher.run_once()] == ["retry"]
    clock.advance(90)
    assert [o.result for o in dispatcher.run_once()] == ["delivered"]
    first, second = bank.received()
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == str(delivery_id)
    assert first["headers"]["webhook-timestamp"] == str(int(first_at.timestamp()))
    assert second["headers"]["webhook-timestamp"] == str(int(first_at.timestamp()) + 90)
    assert first["raw"] == second["raw"]
    assert first["headers"]["x-sbk-signature"] == second["headers"]["x-sbk-signature"]
    assert first["headers"]["webhook-signature"] != second["headers"]["webhook-signature"]
    for hit in (first, second):
        library_verify(SECRET, hit)
    # The timestamp is signed: moving it by one second breaks the signature.
    forged = {**second, "headers": {**second["headers"],
                                    "webhook-timestamp": str(int(second["headers"]["webhook-timestamp"]) - 1)}}
    with pytest.raises(WebhookVerificationError):
        library_verify(SECRET, forged)


def test_a_replayed_request_is_refused_and_a_fresh_attempt_accepted(engine, now_clock, client, bank, seed):
    """The library refuses a timestamp older than 5 minutes; the platform's next attempt carries a new one."""
    bank.reset(bank.dir, scheme="standard")
    late = now_clock()
    now_clock.advance(-600)  # this attempt is signed ten minutes ago, as a captured request replayed now
    [delivery_id] = seed(1, url=bank.url)
    dispatcher = _dispatcher(engine, now_clock, client)
    [refused] = dispatcher.run_once()
    assert (refused.result, refused.status) == ("retry", 401)
    assert bank.received()[0]["signature_ok"] is False
    now_clock.to(late)
    [accepted] = dispatcher.run_once()
    assert accepted.result == "delivered" and accepted.delivery_id == delivery_id
    assert [h["delivery_id"] for h in bank.accepted()] == [str(delivery_id)]


def test_old_format_secret_keeps_working(engine, now_clock, client, bank, seed):
    """A bank registered before whsec_ secrets: X-SBK-Signature unchanged, webhook-signature keyed by its UTF-8."""
    bank.secret = LEGACY_SECRET
    bank.reset(bank.dir, scheme="standard")
    seed(1, url=bank.url, secret=LEGACY_SECRET)
    [outcome] = _dispatcher(engine, now_clock, client).run_once()
    assert outcome.result == "delivered"
    [hit] = bank.received()
    assert hit["headers"]["x-sbk-signature"] == documented_sbk_signature(hit["raw"], LEGACY_SECRET)
    Webhook(LEGACY_SECRET.encode("utf-8")).verify(hit["raw"].encode("utf-8"), hit["headers"])


def test_rotation_both_secrets_sign_during_the_overlap_then_only_the_new(engine, knowledge, clock, client, bank, seed):
    seed(1, url=bank.url)
    with new_session(engine) as session:
        _, new_secret = rotate_webhook_secret(session, bank="建行", overlap=timedelta(hours=24), knowledge=knowledge,
                                              now=clock())
        session.commit()
    assert new_secret.startswith("whsec_") and new_secret != SECRET
    bank.secret = new_secret  # the bank switched at once; the old secret must still verify meanwhile
    bank.reset(bank.dir)
    dispatcher = _dispatcher(engine, clock, client)
    assert [o.result for o in dispatcher.run_once()] == ["delivered"]
    [during] = bank.received()
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    library_verify(new_secret, during)
    library_verify(SECRET, during)
    assert during["headers"]["x-sbk-signature"] == documented_sbk_signature(during["raw"], new_secret)
    assert during["headers"]["x-sbk-signature-previous"] == documented_sbk_signature(during["raw"], SECRET)

    clock.advance(24 * 3600)  # the overlap ends exactly now
    seed(1)
    assert [o.result for o in dispatcher.run_once()] == ["delivered"]
    after = bank.received()[-1]
    assert len(after["headers"]["webhook-signature"].split(" ")) == 1
    assert "x-sbk-signature-previous" not in after["headers"]
    library_verify(new_secret, after)
    with pytest.raises(WebhookVerificationError):
        library_verify(SECRET, after)


@sqlite_only
@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_on_429_and_503_delays_the_next_attempt_at_least_that_long(engine, clock, client, bank, seed,
                                                                               status):
    [delivery_id] = seed(1, url=bank.url)
    bank.plan({"status": status, "retry_after": 7}, {"status": 200})
    # With the back-off alone the next attempt would be due within 1 s (base 1 s, full jitter).
    dispatcher = _dispatcher(engine, clock, client, jitter=lambda d: d * 0.5)
    [busy] = dispatcher.run_once()
    assert (busy.result, busy.status) == ("retry", status)
    assert busy.next_attempt_at - clock() >= timedelta(seconds=7)
    clock.advance(6.9)
    assert dispatcher.run_once() == []
    assert len(bank.received()) == 1
    clock.advance(0.1)
    assert [(o.delivery_id, o.result) for o in dispatcher.run_once()] == [(delivery_id, "delivered")]


def test_410_stops_deliveries_shows_it_and_a_new_registration_resumes(db_url, engine, knowledge, now_clock, client,
                                                                      bank, seed, cli):
    ids = set(seed(2, url=bank.url))
    bank.plan({"status": 410})
    dispatcher = _dispatcher(engine, now_clock, client, max_attempts=1)
    [gone] = dispatcher.run_once()
    assert (gone.result, gone.status) == ("held", 410)
    now_clock.advance(6 * 3600)
    assert dispatcher.run_once() == []  # neither the other delivery nor the first is tried again
    assert len(bank.received()) == 1
    with new_session(engine) as session:
        rows = [session.get(Delivery, i) for i in ids]
        assert {DeliveryState(r.state) for r in rows} == {DeliveryState.pending}  # nothing parked, nothing lost
        account = session.exec(select(BankAccount).where(BankAccount.bank == BANK)).one()
        assert account.endpoint_gone_at is not None

    code, out, err = cli("deliveries", "list")
    assert code == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert {d["id"] for d in listed} == {str(i) for i in ids}
    assert {d["held"] for d in listed} == {"endpoint_gone"}
    assert all(d["endpoint_gone_at"] is not None for d in listed)
    assert any("410" in (d["last_error"] or "") for d in listed)

    with new_session(engine) as session:
        _, _, secret = register_bank(session, bank=BANK, webhook_url=bank.url + "/v2", knowledge=knowledge,
                                     now=now_clock())
        session.commit()
    bank.secret = secret
    bank.reset(bank.dir)
    delivered = dispatcher.run_once()
    assert {(o.delivery_id, o.result) for o in delivered} == {(i, "delivered") for i in ids}
    assert {h["delivery_id"] for h in bank.accepted()} == {str(i) for i in ids}
    code, out, _ = cli("deliveries", "list")
    assert {json.loads(line)["held"] for line in out.splitlines()} == {None}


@sqlite_only
def test_a_410_from_an_old_url_does_not_stop_the_new_one(engine, knowledge, clock, bank, seed):
    """An operator registered a new URL while an attempt to the old one was under way."""
    [delivery_id] = seed(1, url=bank.url)

    def handler(request: httpx.Request) -> httpx.Response:
        with new_session(engine) as session:
            register_bank(session, bank=BANK, webhook_url="https://new.example/sbk", knowledge=knowledge, now=clock())
            session.commit()
        return httpx.Response(410)

    with httpx.Client(transport=httpx.MockTransport(handler)) as mock:
        [outcome] = _dispatcher(engine, clock, mock, batch_size=1).run_once()
    assert outcome.result == "held"
    with new_session(engine) as session:
        account = session.exec(select(BankAccount).where(BankAccount.bank == BANK)).one()
        assert account.endpoint_gone_at is None
        assert as_utc(session.get(Delivery, delivery_id).next_attempt_at) == clock()


def test_integration_guide_standard_webhooks_snippet_verifies_a_delivery(engine, now_clock, client, bank, seed):
    """docs/bank-integration.md §5a: its Python sample accepts our delivery and refuses a changed one."""
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "bank-integration.md").read_text(encoding="utf-8")
    snippet = re.search(r"### Python \(standardwebhooks\)\n\n```python\n(.*?)```", guide, re.S).group(1)
    namespace: dict = {}
    exec(compile(snippet, "bank-integration.md", "exec"), namespace)
    verify_standard = namespace["verify_standard"]
    seed(1, url=bank.url)
    _dispatcher(engine, now_clock, client).run_once()
    [hit] = bank.received()
    raw = hit["raw"].encode("utf-8")
    assert verify_standard(raw, hit["headers"], SECRET) == hit["body"]
    assert verify_standard(raw + b" ", hit["headers"], SECRET) is None
    assert verify_standard(raw, hit["headers"], LEGACY_SECRET) is None
