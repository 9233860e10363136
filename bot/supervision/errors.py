"""Errors of the supervision views: refusals with a code and parameters (knowledge/errors.yml says them)."""

from __future__ import annotations

from bot.knowledge.catalogue import FieldRefusals, Refusal


class SupervisionError(Refusal):
    """A request the supervision views refuse; `field` names the input at fault, if any."""


class InvalidFilters(FieldRefusals, SupervisionError):
    """One or more filter values cannot be used; `problems` holds each field's refusal."""



class TicketNotVisible(SupervisionError):
    """No such ticket, or one outside the supervisor's district: the two are told apart nowhere,
    so a district supervisor cannot learn that another district's ticket exists."""


class VerificationRefused(SupervisionError):
    """The finding (查实/不实) cannot be recorded now: no result report yet, or already verified."""
