"""Errors of the ledger: each says, in Chinese, what was wrong so callers can show it as is."""


class LedgerError(Exception):
    """A request the ledger refuses; `field` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
