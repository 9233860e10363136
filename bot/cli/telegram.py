"""`sbk telegram`: run the citizens' Telegram bot (long polling, or webhook when TELEGRAM_WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import signal
import sys


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("telegram", help="run the citizens' Telegram bot (needs TELEGRAM_TOKEN)")
    cmd.add_argument("--wait-without-token", action="store_true",
                     help="without a token, say so and wait for a stop signal instead of exiting "
                          "(for supervisors that stop every service when one exits, such as honcho)")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from bot.knowledge import get_knowledge
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.telegram_token:
        print(get_knowledge().messages.render("cli_telegram_no_token"))
        sys.stdout.flush()
        if args.wait_without_token:
            _wait_for_stop_signal()
        return 0
    # Progress of the bot on stderr; httpx would log every request URL, and the token is part of it.
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    from bot.channels.telegram import run as run_bot

    # The first record loads the masking pipeline (seconds): here, not inside the bot's event loop.
    mode = f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url else "long polling"
    logging.getLogger("bot.cli.telegram").info("Telegram bot starting (%s), Rasa at %s", mode, settings.rasa_url)

    run_bot(settings)
    return 0


def _wait_for_stop_signal() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sys.exit(0))
    while True:
        signal.pause()
