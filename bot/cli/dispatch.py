"""`sbk dispatch` sends ticket deliveries to the banks; `sbk deliveries list|retry` lets operators see and resend them."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from bot.cli.arguments import positive_float

# The database, HTTP and ledger modules are imported by the handlers, so that building the `sbk`
# parser (every command does it) stays cheap.
STATES = ("pending", "delivered", "parked")  # bot.ledger.models.DeliveryState


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _delivery_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a delivery id (UUID): {text!r}") from None


def _worker_id(text: str) -> str:
    if not text.strip() or len(text) > 64:
        raise argparse.ArgumentTypeError("a worker id has 1 to 64 characters")
    return text


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("dispatch", help="send pending ticket deliveries to the banks' webhooks")
    cmd.add_argument("--once", action="store_true", help="one pass over due deliveries, then exit")
    cmd.add_argument("--worker-id", type=_worker_id, default=None, help="name of this dispatcher in locks")
    cmd.add_argument("--max-attempts", type=_positive_int, default=12, help="attempts before parking (12)")
    cmd.add_argument("--base-delay", type=positive_float, default=30.0, help="first back-off, seconds (30)")
    cmd.add_argument("--max-delay", type=positive_float, default=3600.0, help="back-off cap, seconds (3600)")
    cmd.add_argument("--timeout", type=positive_float, default=10.0, help="limit of one attempt, seconds (10)")
    cmd.add_argument("--lock-seconds", type=positive_float, default=None,
                     help="how long a claim lasts before another dispatcher may take over (max(60, 3×timeout))")
    cmd.add_argument("--batch-size", type=_positive_int, default=10, help="deliveries per pass (10)")
    cmd.add_argument("--poll-interval", type=positive_float, default=1.0, help="idle wait, seconds (1)")
    cmd.set_defaults(handler=run_dispatch)

    deliveries = commands.add_parser("deliveries", help="list deliveries to banks or retry a parked one")
    sub = deliveries.add_subparsers(dest="deliveries_command", required=True, parser_class=type(deliveries))
    listing = sub.add_parser("list", help="one JSON object per delivery, oldest first")
    listing.add_argument("--state", choices=STATES, default=None)
    listing.add_argument("--bank", default=None)
    listing.add_argument("--limit", type=_positive_int, default=None)
    listing.set_defaults(handler=run_list)
    retry = sub.add_parser("retry", help="make a parked delivery due now, with the same delivery id")
    retry.add_argument("delivery_id", type=_delivery_id)
    retry.set_defaults(handler=run_retry)


def make_client():
    """The HTTP client the dispatcher is given (an httpx.Client): no redirects, keep-alive to each bank."""
    import httpx

    return httpx.Client(follow_redirects=False, headers={"Accept": "application/json"})


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run_dispatch(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import get_engine
    from bot.forwarding import Dispatcher

    # The root handler (set up, with masking, by `sbk`) shows the dispatcher's progress.
    logging.getLogger().setLevel(logging.INFO)
    if args.base_delay > args.max_delay:
        print("sbk dispatch: --base-delay must not exceed --max-delay", file=sys.stderr)
        return 2
    timeout = args.timeout
    if args.lock_seconds is not None and args.lock_seconds < 2 * timeout:
        print("sbk dispatch: --lock-seconds must be at least twice --timeout", file=sys.stderr)
        return 2
    from bot.ledger.tickets import record_delivery

    with make_client() as client:
        dispatcher = Dispatcher(
            get_engine(), client=client, worker_id=args.worker_id, max_attempts=args.max_attempts,
            base_delay=args.base_delay, max_delay=args.max_delay, timeout=timeout,
            lock_seconds=args.lock_seconds, batch_size=args.batch_size, on_delivered=record_delivery,
        )
        try:
            if args.once:
                for outcome in dispatcher.run_once():
                    _emit(outcome.to_json())
                return 0
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            logging.getLogger("bot.cli.dispatch").info("dispatcher %s started", dispatcher.worker_id)
            dispatcher.run_forever(stop, poll_interval=args.poll_interval)
            return 0
        except SQLAlchemyError as exc:
            print(f"sbk dispatch: database error: {type(exc).__name__}", file=sys.stderr)
            return 1


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import select

    from bot.banks.models import BankAccount
    from bot.db import get_engine, new_session
    from bot.forwarding import delivery_summary, list_deliveries
    from bot.ledger.models import Ticket

    try:
        with new_session(get_engine()) as session:
            rows = list_deliveries(session, state=args.state, bank=args.bank, limit=args.limit)
            ids = {d.ticket_id for d in rows}
            numbers = dict(session.exec(select(Ticket.id, Ticket.number).where(Ticket.id.in_(ids))).all()) if ids else {}
            # A bank whose endpoint answered 410: its deliveries are held, and the operator must see why.
            gone = dict(session.exec(select(BankAccount.bank, BankAccount.endpoint_gone_at)
                                     .where(BankAccount.endpoint_gone_at.is_not(None))).all())
            for delivery in rows:
                _emit(delivery_summary(delivery, numbers.get(delivery.ticket_id), gone.get(delivery.bank)))
    except SQLAlchemyError as exc:
        print(f"sbk deliveries list: database error: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.clock import get_clock
    from bot.db import get_engine, new_session
    from bot.forwarding import DeliveryNotFound, DeliveryNotRetryable, delivery_summary, retry_parked
    from bot.ledger.models import Ticket

    try:
        with new_session(get_engine()) as session:
            delivery = retry_parked(session, args.delivery_id, now=get_clock().now())
            session.commit()
            number = session.get(Ticket, delivery.ticket_id)
            _emit(delivery_summary(delivery, number.number if number else None))
    except (DeliveryNotFound, DeliveryNotRetryable) as exc:
        print(f"sbk deliveries retry: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"sbk deliveries retry: database error: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0
