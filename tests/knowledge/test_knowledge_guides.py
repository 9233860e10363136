"""Guides: complete answers, honest about what is regulation and what is configuration."""

import pytest
from pydantic import ValidationError

INQUIRIES = [
    "inquiry/apply", "inquiry/activate", "inquiry/report_loss", "inquiry/unfreeze", "inquiry/replace",
    "inquiry/password", "inquiry/info_change", "inquiry/query", "inquiry/cancel", "inquiry/progress",
    "inquiry/temp_card", "inquiry/photo", "inquiry/insurance_record", "inquiry/fees", "inquiry/outlets",
    "inquiry/service_channels", "inquiry/special_groups",
]


def test_one_guide_per_inquiry_intent(knowledge):
    assert sorted(knowledge.guides) == sorted(INQUIRIES)


@pytest.mark.parametrize("intent", INQUIRIES)
def test_guide_is_complete(knowledge, intent):
    guide = knowledge.guide(intent)
    assert guide.intent == intent
    assert guide.title and guide.answer
    assert guide.materials.items and all(guide.materials.items)
    assert guide.materials.source == "operator"  # the Measures list no materials
    assert guide.where.text and guide.where.articles
    assert guide.procedure and all(step.text for step in guide.procedure)
    assert guide.articles and guide.fee


@pytest.mark.parametrize("intent", INQUIRIES)
def test_regulation_statements_cite_existing_articles(knowledge, intent):
    for statement in knowledge.guide(intent).statements:
        if statement.source == "regulation":
            assert statement.articles
            assert all(n in knowledge.articles for n in statement.articles)


def test_operator_values_never_passed_off_as_regulation(knowledge):
    phone = knowledge.operator.service_phone
    statements = [s for g in knowledge.guides.values() for s in g.statements]
    statements += [s for n in knowledge.notices.values() for s in (*n.missing, *n.procedure)]
    assert any(phone in s.text for s in statements), "the service phone should appear somewhere"
    for statement in statements:
        if phone in statement.text:
            assert statement.source == "operator", statement.text
    for guide in knowledge.guides.values():
        assert phone not in guide.answer
        assert "{" not in guide.answer


def test_placeholders_filled_from_operator_config(knowledge):
    steps = [s.text for s in knowledge.guide("inquiry/outlets").procedure]
    assert any(str(knowledge.operator.value("outlet_hours")) in s for s in steps)
    assert not any("{" in s.text for g in knowledge.guides.values() for s in g.statements)


def test_time_limits_of_guides(knowledge):
    assert knowledge.guide("inquiry/apply").time_limit == "first_application"
    assert knowledge.guide("inquiry/replace").time_limit == "replacement"
    assert knowledge.guide("inquiry/temp_card").time_limit == "temp_card"
    assert set(knowledge.guide("inquiry/progress").related_time_limits) == set(knowledge.time_limits)


def test_fees(knowledge):
    assert knowledge.guide("inquiry/apply").fee == ("free",)
    assert set(knowledge.guide("inquiry/fees").fee) == {"free", "bank_fees"}
    assert 12 in knowledge.guide("inquiry/fees").articles
    assert all("free" in g.fee for g in knowledge.guides.values())


def test_one_time_notice_cases(knowledge):
    assert knowledge.guide("inquiry/insurance_record").notice_case == "insurance_record"
    assert knowledge.guide("inquiry/photo").notice_case == "no_photo"


def test_loss_report_by_phone_is_configuration(knowledge):
    steps = knowledge.guide("inquiry/report_loss").procedure
    phone_steps = [s for s in steps if "电话" in s.text]
    assert phone_steps and all(s.source == "operator" for s in phone_steps)


def test_guides_are_immutable(knowledge):
    with pytest.raises(ValidationError):
        knowledge.guide("inquiry/apply").time_limit = "temp_card"
