"""The taxonomy is a contract (SPEC.md): all intents exist, named exactly so."""

import pytest

CONTRACT = {
    "inquiry": [
        "inquiry/apply", "inquiry/activate", "inquiry/report_loss", "inquiry/unfreeze", "inquiry/replace",
        "inquiry/password", "inquiry/info_change", "inquiry/query", "inquiry/cancel", "inquiry/progress",
        "inquiry/temp_card", "inquiry/photo", "inquiry/insurance_record", "inquiry/fees", "inquiry/outlets",
        "inquiry/service_channels", "inquiry/special_groups",
    ],
    "complaint": [
        "complaint/attitude", "complaint/refusal", "complaint/overdue", "complaint/fees",
        "complaint/forced_selling", "complaint/no_notice", "complaint/privacy", "complaint/facilities",
        "complaint/unspecified",  # the project's own addition; the rest are SPEC's
    ],
    "praise": ["praise"],
    "other": [
        "other/greet", "other/goodbye", "other/thanks", "other/affirm", "other/deny", "other/handoff",
        "other/ticket_status", "other/out_of_scope",
    ],
}
CATEGORY_LABELS = {"inquiry": "咨询", "complaint": "投诉举报", "praise": "褒奖", "other": "其他"}


def test_categories(knowledge):
    assert {c.name: c.label for c in knowledge.categories} == CATEGORY_LABELS


@pytest.mark.parametrize("category", CONTRACT)
def test_contract_intents_present(knowledge, category):
    assert [i.name for i in knowledge.intents_in(category)] == CONTRACT[category]


def test_35_intents_with_chinese_labels(knowledge):
    assert len(knowledge.intents) == 35
    for intent in knowledge.intents:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in intent.label), intent.name


def test_rasa_names(knowledge):
    intent = knowledge.intent("inquiry/report_loss")
    assert intent.rasa_name == "inquiry_report_loss"
    assert knowledge.intent_by_rasa_name("inquiry_report_loss") is intent
    assert knowledge.intent_by_rasa_name("praise").name == "praise"
    with pytest.raises(KeyError):
        knowledge.intent("inquiry/unknown")


@pytest.mark.parametrize(
    ("name", "articles"),
    [
        ("complaint/refusal", (16,)),
        ("complaint/overdue", (17,)),
        ("complaint/fees", (12,)),
        ("complaint/forced_selling", (47,)),
        ("complaint/no_notice", (19,)),
        ("complaint/privacy", (9, 51)),
        ("complaint/facilities", (8,)),
        ("praise", (43,)),
    ],
)
def test_articles_of_complaints_and_praise(knowledge, name, articles):
    # SPEC.md's article for each type; Art. 44 may be added where the type counts as a violation.
    assert set(knowledge.intent(name).articles) - {44} == set(articles)


def test_operating_rule_violations_of_art_44(knowledge):
    violations = {i.name for i in knowledge.intents if 44 in i.articles}
    assert violations == {"complaint/refusal", "complaint/overdue", "complaint/fees", "complaint/no_notice"}


def test_tickets_only_for_complaints_and_praise(knowledge):
    assert {c.name for c in knowledge.categories if c.creates_ticket} == {"complaint", "praise"}
