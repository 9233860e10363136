"""`sbk events consume`: Rasa's conversation events from RabbitMQ into the assistant's own figures."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from bot.cli.arguments import positive_float


def register(commands: argparse._SubParsersAction) -> None:
    events = commands.add_parser("events", help="Rasa's conversation events (RabbitMQ, RABBITMQ_URL)")
    sub = events.add_subparsers(dest="events_command", required=True, parser_class=type(events))
    cmd = sub.add_parser("consume", help="write the conversation events waiting in the queue to the database, "
                                         "acknowledging each after its write")
    cmd.add_argument("--idle-exit", type=positive_float, default=None, metavar="SECONDS",
                     help="exit once the queue has been empty this long (default: run until stopped)")
    cmd.add_argument("--wait-without-url", action="store_true",
                     help="without RABBITMQ_URL, say so and wait for a stop signal instead of exiting "
                          "(for supervisors that stop every service when one exits, such as honcho)")
    cmd.set_defaults(handler=run_consume)


def run_consume(args: argparse.Namespace) -> int:
    from bot.knowledge import get_knowledge
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.rabbitmq_url:
        print(get_knowledge().messages.render("cli_events_no_url"))
        sys.stdout.flush()
        if args.wait_without_url:
            _wait_for_stop_signal()
        return 0
    import logging
    import time
    from urllib.parse import urlparse

    from pika.exceptions import AMQPError

    from bot.clock import get_clock
    from bot.db import get_engine
    from bot.outcomes.consumer import ConsumeResult, consume

    log = logging.getLogger("bot.cli.events")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    # A stop signal ends the loop between two messages: the message being written is acknowledged first.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    total, wait = ConsumeResult(), 1.0
    while True:
        try:
            result = consume(url=settings.rabbitmq_url, queue=settings.rabbitmq_queue, engine=get_engine(),
                             clock=get_clock(), idle_seconds=args.idle_exit, stop=lambda: stopping)
        except AMQPError as exc:
            where = urlparse(settings.rabbitmq_url)
            host = f"{where.hostname}:{where.port or 5672}"
            if args.idle_exit is not None:  # a one-off run: say so and fail
                print(get_knowledge().messages.render("cli_events_broker_unreachable", host=host,
                                                      reason=type(exc).__name__), file=sys.stderr)
                return 1
            # Under a supervisor that stops every service when one exits: wait for RabbitMQ instead.
            log.warning("RabbitMQ at %s unreachable (%s); trying again in %.0f s", host, type(exc).__name__, wait)
            deadline = time.monotonic() + wait
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            if stopping:
                break
            wait = min(wait * 2, 60.0)
            continue
        total.applied, total.repeated, total.rejected = (total.applied + result.applied,
                                                         total.repeated + result.repeated,
                                                         total.rejected + result.rejected)
        break
    print(json.dumps({"applied": total.applied, "repeated": total.repeated, "rejected": total.rejected}))
    return 0


def _wait_for_stop_signal() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sys.exit(0))
    while True:
        signal.pause()
