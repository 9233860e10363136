"""Names shown for the product's codes (a ticket's state, a rule's id …), read from the catalogue.

The names live in knowledge/labels.yml under ``<prefix>_<code>``; English codes stay in code and
in JSON keys. A code the catalogue has no name for is shown as it is, so a value added to the
ledger before its name still shows up rather than breaking a page or a report.
"""

from __future__ import annotations

from bot.knowledge import Knowledge
from bot.ledger.models import TicketKind, TicketState

# Art. 38 self-inspection periods, in the order rules.yml may list them.
INSPECTION_KINDS = ("month", "quarter", "half_year", "year")


def label(knowledge: Knowledge, prefix: str, code: str) -> str:
    """The name of ``code`` under ``prefix_`` in the catalogue, or the code itself."""
    key = f"{prefix}_{code}"
    return knowledge.messages.text(key) if key in knowledge.messages else code


def ticket_state(knowledge: Knowledge, state: str) -> str:
    return label(knowledge, "ticket_state", state)


def ticket_kind(knowledge: Knowledge, kind: str) -> str:
    return label(knowledge, "ticket_kind", kind)


def ticket_states(knowledge: Knowledge) -> dict[str, str]:
    """Every state of the ledger by its name, in the ledger's order (for choices and templates)."""
    return {s.value: ticket_state(knowledge, s.value) for s in TicketState}


def ticket_kinds(knowledge: Knowledge) -> dict[str, str]:
    return {k.value: ticket_kind(knowledge, k.value) for k in TicketKind}


def verification(knowledge: Knowledge, value: str) -> str:
    """found_true / not_true / received: the findings of labels.yml (finding_*)."""
    return label(knowledge, "finding", value)


def case_kind(knowledge: Knowledge, kind: str) -> str:
    return label(knowledge, "case_kind", kind)


def ticket_event(knowledge: Knowledge, event_type: str) -> str:
    return label(knowledge, "ticket_event", event_type)


def investigation_review(knowledge: Knowledge, review: str) -> str:
    """submitted / returned / approved: where an investigation report stands with the city."""
    return label(knowledge, "investigation_review", review)


def delivery_state(knowledge: Knowledge, state: str) -> str:
    return label(knowledge, "delivery_state", state)


def ticket_sort(knowledge: Knowledge, sort: str) -> str:
    return label(knowledge, "ticket_sort", sort)


def firing_level(knowledge: Knowledge, level: str) -> str:
    return label(knowledge, "firing_level", level)


def rule_label(knowledge: Knowledge, rule_id: str) -> str:
    """The short name of a threshold rule of knowledge/rules.yml."""
    return label(knowledge, "rule_name", rule_id)


def inspection_period(knowledge: Knowledge, kind: str) -> str:
    return label(knowledge, "inspection_period", kind)


def inspection_kind_by_label(knowledge: Knowledge) -> dict[str, str]:
    """rules.yml names the self-inspection periods by their Chinese names: name → kind."""
    return {inspection_period(knowledge, kind): kind for kind in INSPECTION_KINDS}


def assessment_source(knowledge: Knowledge, source: str | None) -> str:
    """Who scored an assessment item: the agency, the ledger, or no one yet (None)."""
    return knowledge.messages.text(f"assessment_source_{source or 'none'}")
