"""`sbk bank register NAME --webhook-url URL`: register or update a partner bank (docs/contracts.md).

    sbk bank register 建行 --webhook-url https://bank.example/sbk
    {"bank": "中国建设银行", "api_key": "sbk_…", "webhook_secret": "…"}

    sbk bank rotate-secret 建行 --overlap-hours 24
    {"bank": "中国建设银行", "webhook_secret": "whsec_…", "previous_secret_valid_until": "2026-12-04T08:00:00+00:00"}

    sbk bank set-url 建行 --webhook-url https://bank.example/sbk-v2
    {"bank": "中国建设银行", "webhook_url": "https://bank.example/sbk-v2", "resumed": true}

The key and secret are printed only here (the key is stored as an argon2 hash); registering
again updates the URL, rotates both at once (the old secret stops signing) and resumes an
endpoint that answered 410 Gone. `rotate-secret` changes only the webhook secret, the old one
signing next to the new one for the overlap. `set-url` moves the endpoint alone (key and secret
unchanged) and resumes deliveries held after a 410 Gone. A bad name, URL or overlap: one line on stderr,
exit 2, nothing written. The database is migrated first if needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

from bot.ledger.errors import LedgerError

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.knowledge import Knowledge


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("bank", help="partner banks: register the webhook endpoint and issue API credentials")
    actions = cmd.add_subparsers(dest="bank_action", metavar="{register,rotate-secret,set-url}", required=True)
    reg = actions.add_parser("register", help="register or update a bank; prints its new API key and webhook secret")
    reg.add_argument("name", help="bank name or alias, e.g. 中国建设银行 or 建行")
    reg.add_argument("--webhook-url", required=True, help="http(s) URL that receives the bank's tickets")
    reg.set_defaults(handler=run, _parser=reg)
    rot = actions.add_parser("rotate-secret", help="issue a new webhook secret; the old one also signs during the overlap")
    rot.add_argument("name", help="bank name or alias, e.g. 中国建设银行 or 建行")
    rot.add_argument("--overlap-hours", type=float, default=24.0,
                     help="hours during which the old secret still signs next to the new one (24; 0 ends it now)")
    rot.set_defaults(handler=run_rotate, _parser=rot)
    url = actions.add_parser("set-url", help="move a registered bank's webhook endpoint; key and secret unchanged")
    url.add_argument("name", help="bank name or alias, e.g. 中国建设银行 or 建行")
    url.add_argument("--webhook-url", required=True, help="the new http(s) URL that receives the bank's tickets")
    url.set_defaults(handler=run_set_url, _parser=url)


def _refuse(args: argparse.Namespace, knowledge: Knowledge, exc: LedgerError) -> NoReturn:
    """The refusal as one line on stderr, exit 2 (argparse's convention for a bad invocation)."""
    args._parser.error(knowledge.messages.explain(exc).replace("\n", " "))


def _in_transaction(args: argparse.Namespace, knowledge: Knowledge, change: Callable[[Session], dict]) -> int:
    """Migrate if needed, apply `change` in one transaction and print what it returns as one JSON line.

    A refusal rolls everything back: nothing is written.
    """
    from bot.db import new_session, upgrade

    upgrade()
    with new_session() as session:
        try:
            out = change(session)
            session.commit()
        except LedgerError as exc:
            session.rollback()
            _refuse(args, knowledge, exc)
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    from bot.banks import canonical_bank_name, register_bank, validate_webhook_url
    from bot.clock import get_clock
    from bot.knowledge import get_knowledge

    knowledge = get_knowledge()
    try:  # refuse bad input before touching (or creating) the database
        canonical_bank_name(args.name, knowledge=knowledge)
        validate_webhook_url(args.webhook_url)
    except LedgerError as exc:
        _refuse(args, knowledge, exc)

    def change(session: Session) -> dict:
        account, api_key, secret = register_bank(session, bank=args.name, webhook_url=args.webhook_url,
                                                 knowledge=knowledge, now=get_clock().now())
        return {"bank": account.bank, "api_key": api_key, "webhook_secret": secret}

    return _in_transaction(args, knowledge, change)


def run_rotate(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from bot.banks import canonical_bank_name, rotate_webhook_secret
    from bot.clock import get_clock
    from bot.knowledge import get_knowledge
    from bot.ledger.errors import InvalidInput

    knowledge = get_knowledge()
    try:
        canonical_bank_name(args.name, knowledge=knowledge)
        if not args.overlap_hours >= 0:  # also refuses NaN
            raise InvalidInput("overlap_negative", field="overlap_hours")
    except LedgerError as exc:
        _refuse(args, knowledge, exc)

    def change(session: Session) -> dict:
        account, secret = rotate_webhook_secret(session, bank=args.name, overlap=timedelta(hours=args.overlap_hours),
                                                knowledge=knowledge, now=get_clock().now())
        until = account.previous_secret_until
        return {"bank": account.bank, "webhook_secret": secret,
                "previous_secret_valid_until": until.isoformat() if until else None}

    return _in_transaction(args, knowledge, change)


def run_set_url(args: argparse.Namespace) -> int:
    from bot.banks import canonical_bank_name, change_webhook_url, validate_webhook_url
    from bot.clock import get_clock
    from bot.knowledge import get_knowledge

    knowledge = get_knowledge()
    try:
        canonical_bank_name(args.name, knowledge=knowledge)
        validate_webhook_url(args.webhook_url)
    except LedgerError as exc:
        _refuse(args, knowledge, exc)

    def change(session: Session) -> dict:
        account, resumed = change_webhook_url(session, bank=args.name, webhook_url=args.webhook_url,
                                              knowledge=knowledge, now=get_clock().now())
        return {"bank": account.bank, "webhook_url": account.webhook_url, "resumed": resumed}

    return _in_transaction(args, knowledge, change)
