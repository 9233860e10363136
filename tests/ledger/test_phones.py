"""Contact phones are stored in one form, so a caller is found again however the number was typed."""

from __future__ import annotations

import pytest

from bot.ledger.errors import InvalidInput
from bot.ledger.phones import normalize_phone


@pytest.mark.parametrize(("typed", "stored"), [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("+86 139-1234-5678", "13912345678"),
    ("0086 13912345678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),
    ("0532-82345678", "053282345678"),
    ("（0532）8234 5678", "053282345678"),
    ("010-62345678", "01062345678"),
    ("8234 5678", "053282345678"),  # a Qingdao landline said without its area code
])
def test_one_form_per_number(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12333", "1391234567", "139123456789", "23912345678", "abc",
                                   "<script>alert(1)</script>", "0532-12333"])
def test_what_is_not_a_phone_number_is_refused_with_the_field(typed, knowledge):
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(typed, field="phone")
    assert caught.value.field == "phone" and "联系电话" in knowledge.messages.explain(caught.value)
