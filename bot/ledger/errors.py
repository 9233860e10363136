"""Errors of the ledger: refusals with a code and parameters (knowledge/errors.yml says them)."""

from bot.knowledge.catalogue import Refusal


class LedgerError(Refusal):
    """A request the ledger refuses; `field` names the input at fault, if any."""


class NotFound(LedgerError):
    """No such case or ticket (or not visible to the caller)."""


class InvalidInput(LedgerError):
    """An input value is not acceptable (unknown bank, intent, channel …)."""


class InvalidTransition(LedgerError):
    """The ticket is not in a state that allows this step."""


class ExtensionRefused(LedgerError):
    """Art. 9: an extension must be requested no later than 1 working day before the due date."""


class ObjectionRefused(LedgerError):
    """Art. 53: an objection must be raised within 5 days of the finding."""
