"""`sbk chat`: the citizens' conversation in a terminal, through the same Rasa REST channel as the bot.

For a newcomer without a Telegram token. Rasa's buttons are shown as numbered choices (answer with the
number); /cancel ends an open form; Ctrl-D or Ctrl-C leaves. When Rasa cannot be reached, the message is
not lost: the user is asked whether to send it again.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
# Answers to the retry question that give the message up; anything else sends it again.
GIVE_UP = ("n", "no", "否", "不")


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("chat", help="talk to the assistant in this terminal (needs Rasa running)")
    cmd.add_argument("--user", default=None, help="who you are to Rasa: sender terminal:USER (default: login name)")
    cmd.add_argument("--rasa-url", default=None, help="Rasa server (default: RASA_URL, http://127.0.0.1:5005)")
    cmd.set_defaults(handler=run)


class TerminalChat:
    """One conversation: reads lines with `read`, writes with `write`, runs coroutines with `run`."""

    def __init__(self, rasa, *, sender: str, say, run: Callable[[Awaitable[T]], T],
                 read: Callable[[str], str] = input, write: Callable[[str], None] = print,
                 cancel_message: str = "取消", max_chars: int = 1000) -> None:
        self.rasa, self.sender, self.say, self.run = rasa, sender, say, run
        self.read, self.write = read, write
        self.cancel_message, self.max_chars = cancel_message, max_chars
        self.choices: list = []
        self.prompt, self.speaker = say("chat_prompt"), say("chat_speaker")
        # The catalogue trims its sentences: the space before the answer is the terminal's.
        self.retry_prompt = say("chat_retry_prompt") + " "

    def loop(self) -> int:
        self.write(self.say("chat_banner"))
        try:
            while True:
                line = self.read(self.prompt).strip()
                if line:
                    self.handle(line)
        except (EOFError, KeyboardInterrupt):
            self.write("")
            self.write(self.say("chat_goodbye"))
            return 0

    def handle(self, line: str) -> None:
        """Send one line (a message, a choice number or /cancel) and show the replies."""
        from bot.channels.rasa import RasaBadResponse, RasaUnavailable

        empty = "cannot_understand"
        if line == "/cancel":
            message, empty = self.cancel_message, "channel_cancelled"
        elif line.isdecimal() and 1 <= int(line) <= len(self.choices):
            choice = self.choices[int(line) - 1]
            self.write(self.say("chat_choice_echo", title=choice.title))
            message = choice.payload
        else:
            message = line
            if len(message) > self.max_chars:
                message = message[:self.max_chars]
                self.write(self.speaker + self.say("channel_truncated", limit=self.max_chars))
        while True:
            try:
                replies = self.run(self.rasa.send(self.sender, message))
                break
            except RasaUnavailable:
                self.write(self.say("chat_unavailable", url=self.rasa.url))
                if self.read(self.retry_prompt).strip().lower() in GIVE_UP:
                    return
            except RasaBadResponse:
                self.write(self.speaker + self.say("channel_failed"))
                return
        self.show(replies, empty=empty)

    def show(self, replies, *, empty: str) -> None:
        if not replies:
            self.write(self.speaker + self.say(empty))
        self.choices = []
        for reply in replies:
            self.write(self.speaker + (reply.text or self.say("channel_choose")))
            for button in reply.buttons:
                self.choices.append(button)
                self.write(f"  {len(self.choices)}. {button.title}")


def run(args: argparse.Namespace) -> int:
    import asyncio

    import httpx

    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass

    from bot.channels.rasa import RasaClient, make_http_client
    from bot.channels.replies import Say
    from bot.settings import get_settings

    settings = get_settings()
    timeout = httpx.Timeout(connect=2.0, read=settings.rasa_timeout, write=5.0, pool=2.0)
    user = args.user or getpass.getuser()
    with asyncio.Runner() as runner:
        rasa = RasaClient(make_http_client(timeout), base_url=args.rasa_url or settings.rasa_url)
        try:
            chat = TerminalChat(rasa, sender=f"terminal:{user}", say=Say(), run=runner.run,
                                cancel_message=settings.rasa_cancel_message, max_chars=settings.telegram_max_chars)
            return chat.loop()
        finally:
            runner.run(rasa.aclose())
