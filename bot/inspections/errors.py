"""Errors of on-site inspections: refusals with a code and parameters (knowledge/errors.yml says them)."""

from bot.knowledge.catalogue import Refusal


class InspectionError(Refusal):
    """A recording of an on-site inspection that is refused; `field` names the input at fault."""


class InvalidInspection(InspectionError):
    """An input is missing or not acceptable (a date, the outlet, the staff, a finding …)."""


class OutletOutOfScope(InspectionError):
    """The outlet is not in the district the supervisor is responsible for."""


class DuplicateInspection(InspectionError):
    """This outlet's inspection on this day is already recorded."""


class InspectionNotVisible(InspectionError):
    """No such inspection, or one of another district: the two are told apart nowhere."""
