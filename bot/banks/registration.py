"""Registering a partner bank's endpoint and credentials, and recognising its API key."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, select

from bot.banks.keys import generate_api_key, generate_webhook_secret, hash_api_key, parse_api_key, verify_api_key
from bot.banks.models import BankAccount
from bot.knowledge import Knowledge
from bot.ledger.errors import InvalidInput

MAX_URL_LENGTH = 500  # BankAccount.webhook_url


def canonical_bank_name(name: str, *, knowledge: Knowledge) -> str:
    """The canonical name of a partner bank given its name, alias or code; InvalidInput otherwise."""
    canonical = knowledge.canonical_bank(name.strip()) if name and name.strip() else None
    if canonical is None:
        raise InvalidInput("not_partner_bank", field="bank", bank=name)
    return canonical


def validate_webhook_url(url: str) -> str:
    """An absolute http(s) URL with a host, at most 500 characters; InvalidInput otherwise."""
    url = (url or "").strip()
    problem: InvalidInput | None = None
    if not url:
        problem = InvalidInput("webhook_url_missing", field="webhook_url")
    elif len(url) > MAX_URL_LENGTH:
        problem = InvalidInput("webhook_url_too_long", field="webhook_url", limit=MAX_URL_LENGTH)
    elif any(ch.isspace() or ord(ch) < 32 for ch in url):
        problem = InvalidInput("webhook_url_whitespace", field="webhook_url", url=repr(url))
    else:
        try:
            parts = urlsplit(url)
            host, _port = parts.hostname, parts.port  # .port raises ValueError on a bad port
        except ValueError:
            parts, host = None, None
        if parts is None or parts.scheme not in ("http", "https"):
            problem = InvalidInput("webhook_url_scheme", field="webhook_url", url=url)
        elif not host:
            problem = InvalidInput("webhook_url_no_host", field="webhook_url", url=url)
        elif parts.username is not None or parts.password is not None:
            problem = InvalidInput("webhook_url_credentials", field="webhook_url")
    if problem is not None:
        raise problem
    return url


def register_bank(session: Session, *, bank: str, webhook_url: str, knowledge: Knowledge,
                  now: datetime) -> tuple[BankAccount, str, str]:
    """Register `bank` (or update it): its webhook URL and a new API key and webhook secret.

    Returns the row, the API key and the webhook secret; the key is stored only as a hash, so
    this is the one time it can be shown. Re-registering rotates both (the old key stops working).
    Runs in the caller's transaction; nothing is written if the name or URL is refused.
    """
    name = canonical_bank_name(bank, knowledge=knowledge)
    url = validate_webhook_url(webhook_url)
    api_key, prefix = generate_api_key()
    secret = generate_webhook_secret()
    account = session.exec(select(BankAccount).where(BankAccount.bank == name)).first()
    if account is None:
        account = BankAccount(bank=name, webhook_url=url, api_key_hash="", api_key_prefix=prefix, webhook_secret="",
                              updated_at=now)
    account.webhook_url = url
    account.api_key_hash = hash_api_key(api_key)
    account.api_key_prefix = prefix
    account.webhook_secret = secret
    # Registering again is the operator's clean slate: the old secret stops signing at once (for an
    # overlap there is `rotate_webhook_secret`) and an endpoint that answered 410 is tried again.
    account.previous_webhook_secret = None
    account.previous_secret_until = None
    account.endpoint_gone_at = None
    account.updated_at = now
    session.add(account)
    session.flush()
    return account, api_key, secret


def _registered(session: Session, bank: str, *, knowledge: Knowledge) -> BankAccount:
    """The account of a registered bank; InvalidInput for an unknown or unregistered one."""
    name = canonical_bank_name(bank, knowledge=knowledge)
    account = session.exec(select(BankAccount).where(BankAccount.bank == name)).first()
    if account is None:
        raise InvalidInput("bank_not_registered", field="bank", bank=name)
    return account


def rotate_webhook_secret(session: Session, *, bank: str, overlap: timedelta, knowledge: Knowledge,
                          now: datetime) -> tuple[BankAccount, str]:
    """Give `bank` a new webhook secret; the current one keeps signing next to it for `overlap`.

    Returns the row and the new secret (shown once). The URL and the API key are unchanged. A
    rotation during an overlap replaces the older secret: at most two sign at any time. InvalidInput
    for an unknown or unregistered bank or a negative overlap; runs in the caller's transaction.
    """
    if overlap < timedelta(0):
        raise InvalidInput("overlap_negative", field="overlap_hours")
    account = _registered(session, bank, knowledge=knowledge)
    secret = generate_webhook_secret()
    if overlap > timedelta(0):
        account.previous_webhook_secret = account.webhook_secret
        account.previous_secret_until = now + overlap
    else:
        account.previous_webhook_secret = None
        account.previous_secret_until = None
    account.webhook_secret = secret
    account.updated_at = now
    session.add(account)
    session.flush()
    return account, secret


def change_webhook_url(session: Session, *, bank: str, webhook_url: str, knowledge: Knowledge,
                       now: datetime) -> tuple[BankAccount, bool]:
    """Move a registered bank's webhook to `webhook_url`, keeping its API key and webhook secret.

    Returns the row and whether deliveries held after a 410 Gone resume: a bank that moved its
    receiver needs neither new credentials nor a new integration. InvalidInput for an unknown or
    unregistered bank or a refused URL; runs in the caller's transaction.
    """
    url = validate_webhook_url(webhook_url)
    account = _registered(session, bank, knowledge=knowledge)
    resumed = account.endpoint_gone_at is not None
    account.webhook_url = url
    account.endpoint_gone_at = None
    account.updated_at = now
    session.add(account)
    session.flush()
    return account, resumed


def authenticate(session: Session, api_key: str | None) -> BankAccount | None:
    """The bank this API key belongs to, or None.

    Unknown and malformed keys cost one argon2 verification like a wrong key of a known bank,
    so the time taken does not tell which prefixes exist.
    """
    prefix = parse_api_key(api_key) if api_key else None
    accounts = list(session.exec(select(BankAccount).where(BankAccount.api_key_prefix == prefix))) if prefix else []
    if not accounts:
        verify_api_key(api_key or "", None)
        return None
    for account in accounts:  # prefixes are random; a clash is possible but harmless
        if verify_api_key(api_key, account.api_key_hash):  # type: ignore[arg-type]
            return account
    return None
