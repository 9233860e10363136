"""Errors of the supervision views: refusals with a code and parameters (knowledge/errors.yml says them)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.knowledge.catalogue import Catalogue, Refusal


class SupervisionError(Refusal):
    """A request the supervision views refuse; `field` names the input at fault, if any."""


class InvalidFilters(SupervisionError):
    """One or more filter values cannot be used; `problems` holds each field's refusal."""

    def __init__(self, problems: Mapping[str, Refusal]) -> None:
        first_field, first = next(iter(problems.items()))
        super().__init__(first.code, field=first_field, **first.params)
        self.problems = dict(problems)

    def explain_each(self, messages: Catalogue) -> dict[str, str]:
        """Each refused filter's field and what the supervisor is told about it."""
        return {field: messages.explain(problem) for field, problem in self.problems.items()}


class TicketNotVisible(SupervisionError):
    """No such ticket, or one outside the supervisor's district: the two are told apart nowhere,
    so a district supervisor cannot learn that another district's ticket exists."""


class VerificationRefused(SupervisionError):
    """The finding (查实/不实) cannot be recorded now: no result report yet, or already verified."""
