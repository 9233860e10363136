"""Errors of the console's user and session layer: refusals with a code and parameters
(knowledge/console.yml says them), rendered where they are shown with ``Catalogue.explain``."""

from __future__ import annotations

from bot.knowledge.catalogue import Refusal


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
