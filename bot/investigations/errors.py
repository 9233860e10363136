"""Errors of investigation reports: refusals with a code and parameters (knowledge/errors.yml says them)."""

from bot.knowledge.catalogue import Refusal


class InvestigationError(Refusal):
    """A step on an investigation report that is refused; `field` names the input at fault, if any."""


class ReportNotFound(InvestigationError):
    """No report for this ticket (or a ticket outside the user's district: the two look alike)."""


class InvestigationRefused(InvestigationError):
    """The report cannot be filed, amended or reviewed now (wrong kind of case, state, or role)."""
