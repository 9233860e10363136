"""Errors of the satisfaction callbacks: refusals with a code and parameters (knowledge/errors.yml says them)."""

from bot.knowledge.catalogue import Refusal


class CallbackError(Refusal):
    """A step on a callback that is refused; `field` names the input at fault, if any."""


class CallbackNotFound(CallbackError):
    """No such callback, or not this citizen's."""


class AlreadyAnswered(CallbackError):
    """The callback has its answer (or ended unanswered): nothing more is recorded."""


class InvalidAnswer(CallbackError):
    """The answer, comment or attempt sent is not acceptable."""
