"""The ticket list's filters, read from a query string (bookmarkable GET form) and checked.

Every value is checked against the knowledge base (banks and districts by name, alias or code)
and the ledger's enums; what cannot be used is reported per field in Chinese, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

from bot.knowledge import Knowledge
from bot.knowledge.catalogue import Refusal
from bot.ledger.models import TicketKind, TicketState
from bot.reports import labels
from bot.reports.render import LIST_SEPARATOR
from bot.supervision.errors import InvalidFilters

MAX_DUE_WITHIN = 30  # working days; further ahead is no warning any more
MAX_TEXT = 64
MAX_PAGE = 100_000
SORTS = ("created", "due")  # named by ticket_sort_<sort> in the catalogue (bot.reports.labels.ticket_sort)
Sort = Literal["created", "due"]
_NUMBER_TEXT = re.compile(r"^[A-Z0-9-]{1,20}$")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


@dataclass(frozen=True)
class TicketFilters:
    """What the ticket list is narrowed to; None (or False) means "not filtered"."""

    bank: str | None = None
    outlet: str | None = None
    district: str | None = None
    state: TicketState | None = None
    kind: TicketKind | None = None
    overdue: bool = False
    due_within: int | None = None  # open tickets due from today up to N working days ahead
    number: str | None = None  # part of a ticket number
    sort: Sort = "created"
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (for links to other pages of the same list)."""
        values = {**asdict(self), **changes}
        out: dict[str, str] = {}
        for key, value in values.items():
            if value is None or value is False or (key == "sort" and value == "created") \
                    or (key == "page" and value == 1):
                continue
            out[key] = "1" if value is True else str(getattr(value, "value", value))
        return out


def _text(raw: str, field: str, errors: dict[str, Refusal]) -> str | None:
    value = " ".join(raw.split())
    if len(value) > MAX_TEXT:
        errors[field] = Refusal(f"filter_{field}_too_long", limit=MAX_TEXT)
        return None
    return value or None


def parse_filters(params: Mapping[str, str], *, knowledge: Knowledge, scope: str | None) -> TicketFilters:
    """Filters from query parameters; InvalidFilters naming every bad field.

    `scope` is the district a district supervisor is limited to: the district filter is then
    that district, and asking for another one is refused (not silently widened or emptied).
    """
    errors: dict[str, Refusal] = {}

    def raw(name: str) -> str:
        value = params.get(name)
        return value.strip() if isinstance(value, str) else ""

    bank = None
    if raw("bank"):
        bank = knowledge.canonical_bank(raw("bank"))
        if bank is None:
            errors["bank"] = Refusal("not_partner_bank", bank=raw("bank")[:MAX_TEXT])

    outlet = _text(raw("outlet"), "outlet", errors)

    district = None
    if raw("district"):
        district = knowledge.canonical_district(raw("district"))
        if district is None:
            errors["district"] = Refusal("not_qingdao_district", district=raw("district")[:MAX_TEXT])
    if scope is not None:
        if district is not None and district != scope:
            errors["district"] = Refusal("filter_district_out_of_scope", district=scope)
        district = scope

    state = None
    if raw("state"):
        try:
            state = TicketState(raw("state"))
        except ValueError:
            states = LIST_SEPARATOR.join(labels.ticket_states(knowledge).values())
            errors["state"] = Refusal("filter_state_invalid", states=states)

    kind = None
    if raw("kind"):
        try:
            kind = TicketKind(raw("kind"))
        except ValueError:
            errors["kind"] = Refusal("filter_kind_invalid")

    overdue = False
    if raw("overdue"):
        if raw("overdue").lower() in _TRUE:
            overdue = True
        elif raw("overdue").lower() not in _FALSE:
            errors["overdue"] = Refusal("filter_overdue_invalid")

    due_within = None
    if raw("due_within"):
        try:
            due_within = int(raw("due_within"))
        except ValueError:
            due_within = -1
        if not 0 <= due_within <= MAX_DUE_WITHIN:
            errors["due_within"] = Refusal("filter_due_within_invalid", limit=MAX_DUE_WITHIN)
            due_within = None

    number = None
    if raw("number"):
        number = raw("number").upper().replace(" ", "")
        if not _NUMBER_TEXT.match(number):
            errors["number"] = Refusal("filter_number_invalid")
            number = None

    sort: Sort = "created"
    if raw("sort"):
        if raw("sort") not in SORTS:
            errors["sort"] = Refusal("filter_sort_invalid")
        else:
            sort = raw("sort")  # type: ignore[assignment]

    page = 1
    if raw("page"):
        try:
            page = int(raw("page"))
        except ValueError:
            page = 0
        if not 1 <= page <= MAX_PAGE:
            errors["page"] = Refusal("filter_page_invalid")
            page = 1

    if overdue and due_within is not None and "due_within" not in errors:
        errors["due_within"] = Refusal("filter_overdue_and_due_within")

    if errors:
        raise InvalidFilters(errors)
    return TicketFilters(bank=bank, outlet=outlet, district=district, state=state, kind=kind, overdue=overdue,
                         due_within=due_within, number=number, sort=sort, page=page)
