"""Errors of the console's user and session layer; each message is Chinese and shown as is."""

from __future__ import annotations


class ConsoleError(Exception):
    """A request the console refuses; `field` names the form field at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidUser(ConsoleError):
    """A user's name, role, district or password is not acceptable."""


class DuplicateUser(InvalidUser):
    """The name is taken."""


class UnknownUser(ConsoleError):
    """No user with this id or name."""


class SignInFailed(ConsoleError):
    """Unknown name or wrong password: one message for both, so names cannot be probed."""


class SessionInvalid(ConsoleError):
    """No usable session: none presented, signed out, or ended."""


class SessionExpired(SessionInvalid):
    """The session existed but ran out (idle or absolute limit)."""
