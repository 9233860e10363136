"""Errors of the supervision views: each carries a Chinese message a supervisor can be shown as is."""

from __future__ import annotations


class SupervisionError(Exception):
    """A request the supervision views refuse; `field` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidFilters(SupervisionError):
    """One or more filter values cannot be used; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()), field=next(iter(errors), None))
        self.errors = dict(errors)


class TicketNotVisible(SupervisionError):
    """No such ticket, or one outside the supervisor's district: the two are told apart nowhere,
    so a district supervisor cannot learn that another district's ticket exists."""


class VerificationRefused(SupervisionError):
    """The finding (查实/不实) cannot be recorded now: no result report yet, or already verified."""
