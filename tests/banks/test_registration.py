"""register_bank and authenticate, with the real argon2 parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.banks import authenticate, keys, parse_api_key, register_bank, validate_webhook_url
from bot.banks.models import BankAccount
from bot.ledger.errors import InvalidInput

REGISTERED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _rows(engine) -> list[BankAccount]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(BankAccount)))


def test_register_by_alias_stores_only_a_hash_of_the_key(engine, knowledge, real_hasher):
    with Session(engine, expire_on_commit=False) as session:
        account, api_key, secret = register_bank(session, bank="建行", webhook_url="https://ccb.example/sbk",
                                                 knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
    assert account.bank == "中国建设银行"
    assert api_key.startswith("sbk_") and len(api_key) >= 40 and len(secret) >= 40
    (row,) = _rows(engine)
    assert row.bank == "中国建设银行" and row.webhook_url == "https://ccb.example/sbk"
    assert row.api_key_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and api_key not in row.api_key_hash
    assert row.api_key_prefix == api_key[:12] == parse_api_key(api_key)
    assert api_key[12:] not in row.api_key_prefix
    assert row.webhook_secret == secret  # needed in clear to sign deliveries
    with Session(engine, expire_on_commit=False) as session:
        found = authenticate(session, api_key)
    assert found is not None and found.bank == "中国建设银行"


def test_keys_and_secrets_are_unique_per_registration(engine, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        _, k1, s1 = register_bank(session, bank="中国银行", webhook_url="https://boc.example/a", knowledge=knowledge, now=REGISTERED_AT)
        _, k2, s2 = register_bank(session, bank="交通银行", webhook_url="https://bocom.example/a", knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
    assert len({k1, k2, s1, s2}) == 4 and k1[:12] != k2[:12]


@pytest.mark.parametrize("name", ["花旗银行", "", "   ", "建设"])
def test_unknown_bank_is_refused_naming_it_and_nothing_is_written(engine, knowledge, name):
    with Session(engine) as session, pytest.raises(InvalidInput) as err:
        register_bank(session, bank=name, webhook_url="https://x.example/", knowledge=knowledge, now=REGISTERED_AT)
    assert err.value.field == "bank" and name in knowledge.messages.explain(err.value) and "合作银行" in knowledge.messages.explain(err.value)
    assert _rows(engine) == []


@pytest.mark.parametrize("url", [
    "", "bank.example/sbk", "ftp://bank.example/sbk", "http://", "https:///sbk", "https://bank example/",
    "https://bank.example/a\nb", "javascript:alert(1)", "https://user:pw@bank.example/", "http://h:99999/",
    "https://bank.example/" + "a" * 500,
])
def test_bad_webhook_url_is_refused_and_nothing_is_written(engine, knowledge, url):
    with Session(engine) as session, pytest.raises(InvalidInput) as err:
        register_bank(session, bank="中国建设银行", webhook_url=url, knowledge=knowledge, now=REGISTERED_AT)
    assert err.value.field == "webhook_url" and knowledge.messages.explain(err.value)
    assert _rows(engine) == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "https://bank.example/sbk?x=1",
                                 "HTTPS://Bank.Example", "http://[::1]:9000/h"])
def test_good_webhook_urls(url):
    assert validate_webhook_url(f"  {url} ") == url


def test_register_again_updates_the_url_and_rotates_key_and_secret(engine, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        first, old_key, old_secret = register_bank(session, bank="中国建设银行", webhook_url="https://a.example/",
                                                   knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
        assert authenticate(session, old_key) is not None  # verified once, so remembered
    with Session(engine, expire_on_commit=False) as session:
        second, new_key, new_secret = register_bank(session, bank="建行", webhook_url="https://b.example/",
                                                    knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
    assert second.id == first.id and new_key != old_key and new_secret != old_secret
    (row,) = _rows(engine)
    assert row.webhook_url == "https://b.example/" and row.webhook_secret == new_secret
    with Session(engine, expire_on_commit=False) as session:
        assert authenticate(session, old_key) is None
        assert authenticate(session, new_key).bank == "中国建设银行"


def test_authenticate_refuses_everything_but_the_exact_key(engine, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        _, key, _ = register_bank(session, bank="中国建设银行", webhook_url="https://a.example/", knowledge=knowledge, now=REGISTERED_AT)
        _, other, _ = register_bank(session, bank="中国工商银行", webhook_url="https://b.example/", knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
        assert authenticate(session, key).bank == "中国建设银行"
        assert authenticate(session, other).bank == "中国工商银行"
        for wrong in (None, "", "sbk_", key[:-1], key + "a", key[:13] + other[13:], other[:13] + key[13:],
                      key.upper(), " " + key):
            assert authenticate(session, wrong) is None, wrong


def test_an_unknown_key_costs_a_hash_verification_like_a_wrong_one(engine, knowledge, monkeypatch):
    calls: list[str] = []
    real = keys._hasher()

    class Spy:
        def verify(self, password, hash):
            calls.append(hash)
            return real.verify(password, hash)

        def hash(self, password):
            return real.hash(password)

    monkeypatch.setattr(keys, "_hasher", lambda: Spy())
    with Session(engine, expire_on_commit=False) as session:
        assert authenticate(session, "sbk_00000000_" + "a" * 43) is None
        assert authenticate(session, "garbage") is None
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)
