"""Errors of the console's user and session layer: refusals with a code and parameters
(knowledge/console.yml says them), rendered where they are shown with ``Catalogue.explain``."""

from __future__ import annotations

from bot.knowledge.catalogue import Refusal
from bot.web.console.models import SignInLockout


class ConsoleError(Refusal):
    """A request the console refuses; `field` names the form field at fault, if any."""


class InvalidUser(ConsoleError):
    """A user's name, role, district or password is not acceptable."""


class DuplicateUser(InvalidUser):
    """The name is taken."""


class UnknownUser(ConsoleError):
    """No user with this id or name."""


class SignInFailed(ConsoleError):
    """Unknown name or wrong password: one code for both, so names cannot be probed."""


class SessionInvalid(ConsoleError):
    """No usable session: none presented, signed out, or ended."""


class SessionExpired(SessionInvalid):
    """The session existed but ran out (idle or absolute limit)."""


class AccountDisabled(SignInFailed):
    """The right password for a deactivated account: not a guess, so not counted against the name."""


class SignInLocked(ConsoleError):
    """Too many failed sign-ins: the name or the address is refused until `lockout.until`."""

    def __init__(self, code: str, *, lockout: SignInLockout) -> None:
        super().__init__(code)
        self.lockout = lockout
