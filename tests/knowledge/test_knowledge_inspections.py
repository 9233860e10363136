"""The on-site inspection checklist as data (knowledge/inspections.yml): one item per service rule of
Chapter II that an inspector checks at the outlet, and the two staff of Art. 26, checked by the loader."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeError, load_knowledge


def test_the_checklist_covers_articles_8_to_19_once_each(knowledge):
    items = knowledge.inspections.items
    assert [item.article for item in items] == list(range(8, 20))
    assert len({item.code for item in items}) == len(items)
    assert all(knowledge.article(item.article).chapter == 2 for item in items)


def test_two_staff_inspect_together_and_the_weekly_rule_is_art_29(knowledge):
    staff = knowledge.inspections.staff
    assert (staff.article, staff.min_staff) == (26, 2)
    assert "".join(staff.quote.split()) in "".join(knowledge.article(26).text.split())
    rule = knowledge.rules.deadlines.district_inspection
    assert (rule.article, rule.min_outlets_per_week, rule.record_within_working_days) == (29, 3, 2)


def load_error(copy) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(copy.root)
    return info.value


def test_an_item_outside_the_service_rules_is_refused(knowledge_copy):
    knowledge_copy.replace("inspections.yml", "article: 19,", "article: 29,")
    message = str(load_error(knowledge_copy))
    assert "inspections.yml: items[11].article" in message and "not a service rule of Chapter II" in message


def test_a_repeated_item_code_is_refused(knowledge_copy):
    knowledge_copy.replace("inspections.yml", "code: issuance_time,", "code: outlet_signage,")
    assert "inspection item codes must be unique: outlet_signage" in str(load_error(knowledge_copy))


def test_a_quote_not_in_art_26_is_refused(knowledge_copy):
    knowledge_copy.replace("inspections.yml", "由 2 名或 2 名以上工作人员共同进行", "由 1 名工作人员进行")
    assert "quote not found in article 26" in str(load_error(knowledge_copy))
