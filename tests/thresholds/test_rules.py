"""Each threshold rule of Art. 43–47 fires once, at its threshold, with its articles and cases."""

from __future__ import annotations

import logging

import pytest

from bot.ledger.models import Verification
from bot.thresholds import (
    OFFICIAL,
    WARNING,
    counted_intents,
    counting_channels,
    evaluate,
    firings,
    parse_subject,
    subject_of,
    uncountable_rules,
)

from .conftest import BANK, OTHER_BANK, OTHER_OUTLET, OUTLET, VIOLATIONS, add_case, sh, without_article

COMPLAINTS = ("complaint/fees", "complaint/refusal", "complaint/attitude", "complaint/overdue",
              "complaint/no_notice", "complaint/privacy", "complaint/facilities")

# rule id: (intents to cycle through, outlets to cycle through, subject, period, articles)
CASE_RULES = {
    "outlet_praise_commendation": (("praise",), (OUTLET,), f"{BANK} {OUTLET}", "2026", [43, 50]),
    "bank_praise_commendation": (("praise",), (OUTLET, OTHER_OUTLET, None), BANK, "2026", [43, 50]),
    "outlet_violations": (VIOLATIONS, (OUTLET,), f"{BANK} {OUTLET}", "2026", [44, 50]),
    "bank_same_type_complaints": (("complaint/fees",), (None,), f"{BANK} complaint/fees", "2026-11", [45, 50]),
    "bank_complaint_volume": (COMPLAINTS, (OUTLET, None), BANK, "2026-11", [46, 50]),
    "forced_selling": (("complaint/forced_selling",), (None,), BANK, "2026-11/{id}", [47, 50]),
}


def official(fired, rule_id):
    return [f for f in fired if f.rule_id == rule_id and f.level == OFFICIAL]


def warning(fired, rule_id):
    return [f for f in fired if f.rule_id == rule_id and f.level == WARNING]


def test_every_rule_of_the_knowledge_base_is_covered(kb):
    assert {r.id for r in kb.rules.thresholds} == set(CASE_RULES) | {"overdue_tickets"}


@pytest.mark.parametrize("rule_id", sorted(CASE_RULES))
def test_rule_fires_once_at_its_threshold(session, kb, rule_id):
    rule = kb.rules.threshold(rule_id)
    intents, outlets, subject, period, articles = CASE_RULES[rule_id]
    cases = []

    def add(i: int):
        case = add_case(session, intent=intents[i % len(intents)], outlet=outlets[i % len(outlets)],
                        at=sh(2026, 11, 1 + i, 10, 0))
        cases.append(case)
        return evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb)

    for i in range(rule.threshold - 1):
        assert official(add(i), rule_id) == [], f"fired at {i + 1} of {rule.threshold}"

    fired = official(add(rule.threshold - 1), rule_id)
    assert len(fired) == 1
    firing = fired[0]
    assert firing.id is not None and firing.bank == BANK
    assert (firing.subject, firing.period) == (subject, period.format(id=cases[-1].id))
    assert firing.articles == articles
    assert firing.case_ids == [c.id for c in cases]
    assert firing.count == rule.threshold
    assert firing.consequence == rule.consequence and firing.next_steps == list(rule.next_steps)

    # The same state evaluated again fires nothing new.
    assert official(evaluate(session, bank=BANK, at=cases[-1].received_at, now=cases[-1].received_at, knowledge=kb), rule_id) == []

    # One more case: a period rule has fired for this period already; a per-case rule fires for the new case.
    more = official(add(rule.threshold), rule_id)
    if rule.period == "case":
        assert [(f.period, f.case_ids) for f in more] == [(f"2026-11/{cases[-1].id}", [cases[-1].id])]
    else:
        assert more == []
    session.commit()
    assert len(firings(session, rule_id=rule_id, level=OFFICIAL)) == (2 if rule.period == "case" else 1)


def test_not_true_cases_never_count(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    for day in range(1, rule.threshold + 3):
        case = add_case(session, intent="complaint/fees", at=sh(2026, 11, day, 9, 0), verification=Verification.not_true)
        assert evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb) == []
    kept = [add_case(session, intent="complaint/fees", at=sh(2026, 11, 20 + i, 9, 0)) for i in range(rule.threshold - 1)]
    assert official(evaluate(session, bank=BANK, at=kept[-1].received_at, now=kept[-1].received_at, knowledge=kb), rule.id) == []
    last = add_case(session, intent="complaint/fees", at=sh(2026, 11, 28, 9, 0))
    fired = evaluate(session, bank=BANK, at=last.received_at, now=last.received_at, knowledge=kb)
    assert [f.case_ids for f in official(fired, rule.id)] == [[c.id for c in (*kept, last)]]
    assert [f.case_ids for f in warning(fired, rule.id)] == [[c.id for c in (*kept, last)]]


def test_warning_fires_on_received_cases_and_the_official_rule_only_once_found_true(session, kb):
    rule = kb.rules.threshold("bank_complaint_volume")
    assert rule.warning is not None
    cases = []
    for i in range(rule.warning.threshold):
        cases.append(add_case(session, intent=COMPLAINTS[i % len(COMPLAINTS)], at=sh(2026, 11, 2 + i, 9, 0),
                              verification=Verification.received))
        fired = evaluate(session, bank=BANK, at=cases[-1].received_at, now=cases[-1].received_at, knowledge=kb)
        assert official(fired, rule.id) == []
    assert len(warning(fired, rule.id)) == 1
    alert = warning(fired, rule.id)[0]
    assert alert.articles == [46] and alert.case_ids == [c.id for c in cases] and alert.period == "2026-11"
    assert alert.consequence == rule.warning.note

    # Verifying all but one: still no official firing; the warning does not repeat.
    for case in cases[:-1]:
        case.verification = Verification.found_true
        session.add(case)
    session.flush()
    fired = evaluate(session, bank=BANK, at=cases[0].received_at, now=cases[0].received_at, knowledge=kb)
    assert official(fired, rule.id) == [] and warning(fired, rule.id) == []
    if rule.threshold <= rule.warning.threshold:
        cases[-1].verification = Verification.found_true
        session.add(cases[-1])
        session.flush()
        fired = evaluate(session, bank=BANK, at=cases[0].received_at, now=cases[0].received_at, knowledge=kb)
        assert [f.articles for f in official(fired, rule.id)] == [[46, 50]]
        assert warning(fired, rule.id) == []


def test_outlet_violation_warning_counts_received_reports(session, kb):
    rule = kb.rules.threshold("outlet_violations")
    assert rule.warning is not None and rule.warning.threshold < rule.threshold
    cases = [add_case(session, intent=VIOLATIONS[0], outlet=OUTLET, at=sh(2026, 3, 1 + i, 9, 0),
                      verification=Verification.received) for i in range(rule.warning.threshold)]
    fired = evaluate(session, bank=BANK, at=cases[-1].received_at, now=cases[-1].received_at, knowledge=kb)
    assert [(f.subject, f.period, f.case_ids, f.articles) for f in warning(fired, rule.id)] == [
        (f"{BANK} {OUTLET}", "2026", [c.id for c in cases], [44])]
    assert official(fired, rule.id) == []


def test_forced_selling_warns_when_received_and_fires_officially_when_found_true(session, kb):
    case = add_case(session, intent="complaint/forced_selling", at=sh(2026, 11, 27, 15, 0),
                    verification=Verification.received)
    fired = evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb)
    assert [(f.period, f.case_ids, f.articles) for f in warning(fired, "forced_selling")] == [
        (f"2026-11/{case.id}", [case.id], [47])]
    assert official(fired, "forced_selling") == []
    case.verification = Verification.found_true
    session.add(case)
    session.flush()
    fired = evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb)
    assert [(f.period, f.case_ids, f.articles) for f in official(fired, "forced_selling")] == [
        (f"2026-11/{case.id}", [case.id], [47, 50])]
    assert warning(fired, "forced_selling") == []


def test_other_complaints_are_not_forced_selling(session, kb):
    for i, intent in enumerate(COMPLAINTS):
        case = add_case(session, intent=intent, at=sh(2026, 11, 1 + i, 9, 0))
        assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), "forced_selling") == []


def test_same_type_means_the_same_intent(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    mixed = ["complaint/fees"] * (rule.threshold - 1) + ["complaint/refusal"] * (rule.threshold - 1)
    for i, intent in enumerate(mixed):
        case = add_case(session, intent=intent, at=sh(2026, 11, 1 + i, 9, 0))
        assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    case = add_case(session, intent="complaint/refusal", at=sh(2026, 11, 20, 9, 0))
    fired = official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id)
    assert [f.subject for f in fired] == [f"{BANK} complaint/refusal"]
    assert parse_subject(fired[0].subject) == (BANK, "complaint/refusal")


def test_outlets_are_counted_apart(session, kb):
    rule = kb.rules.threshold("outlet_praise_commendation")
    for i in range(rule.threshold - 1):
        for outlet in (OUTLET, OTHER_OUTLET):
            case = add_case(session, intent="praise", outlet=outlet, at=sh(2026, 5, 1 + i, 9, 0))
            assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    case = add_case(session, intent="praise", outlet=OTHER_OUTLET, at=sh(2026, 5, 20, 9, 0))
    fired = official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id)
    assert [f.subject for f in fired] == [subject_of(BANK, OTHER_OUTLET)] == [f"{BANK} {OTHER_OUTLET}"]


def test_banks_are_counted_apart(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    for i in range(rule.threshold - 1):
        for bank in (BANK, OTHER_BANK):
            case = add_case(session, intent="complaint/fees", bank=bank, at=sh(2026, 11, 1 + i, 9, 0))
            assert official(evaluate(session, bank=bank, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    case = add_case(session, intent="complaint/fees", bank=OTHER_BANK, at=sh(2026, 11, 20, 9, 0))
    assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    fired = official(evaluate(session, bank=OTHER_BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id)
    assert [(f.bank, f.subject) for f in fired] == [(OTHER_BANK, f"{OTHER_BANK} complaint/fees")]


def test_only_the_channels_of_article_50_count(session, kb):
    assert {"hotline_12345", "hotline_12333", "telegram"} <= set(counting_channels(kb))
    rule = kb.rules.threshold("bank_same_type_complaints")
    for i in range(rule.threshold - 1):
        case = add_case(session, intent="complaint/fees", at=sh(2026, 11, 1 + i, 9, 0), channel="bank_counter")
        assert evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb) == []
    for i in range(rule.threshold - 1):
        case = add_case(session, intent="complaint/fees", at=sh(2026, 11, 10 + i, 9, 0), channel="telegram")
        assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    case = add_case(session, intent="complaint/fees", at=sh(2026, 11, 20, 9, 0), channel="hotline_12345")
    fired = official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id)
    assert len(fired) == 1 and fired[0].count == rule.threshold


def test_month_boundary_is_shanghai_midnight(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    assert rule.threshold == 3  # the case layout below is for three
    late_november = add_case(session, intent="complaint/fees", at=sh(2026, 11, 30, 23, 30))
    mid_november = add_case(session, intent="complaint/fees", at=sh(2026, 11, 15, 12, 0))
    december = add_case(session, intent="complaint/fees", at=sh(2026, 12, 1, 0, 10))  # 2026-11-30 16:10 UTC
    for case in (late_november, mid_november, december):
        assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    first_of_november = add_case(session, intent="complaint/fees", at=sh(2026, 11, 1, 0, 0))  # 2026-10-31 16:00 UTC
    fired = official(evaluate(session, bank=BANK, at=first_of_november.received_at, now=first_of_november.received_at, knowledge=kb), rule.id)
    assert [(f.period, f.case_ids) for f in fired] == [
        ("2026-11", [first_of_november.id, mid_november.id, late_november.id])]


def test_year_boundary_is_shanghai_midnight(session, kb):
    rule = kb.rules.threshold("outlet_praise_commendation")
    assert rule.threshold == 3
    last_evening = add_case(session, intent="praise", outlet=OUTLET, at=sh(2026, 12, 31, 23, 59))
    new_year = add_case(session, intent="praise", outlet=OUTLET, at=sh(2027, 1, 1, 0, 1))  # 2026-12-31 16:01 UTC
    summer = add_case(session, intent="praise", outlet=OUTLET, at=sh(2026, 7, 1, 9, 0))
    for case in (last_evening, new_year, summer):
        assert official(evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=kb), rule.id) == []
    first_morning = add_case(session, intent="praise", outlet=OUTLET, at=sh(2026, 1, 1, 0, 0))  # 2025-12-31 16:00 UTC
    fired = official(evaluate(session, bank=BANK, at=first_morning.received_at, now=first_morning.received_at, knowledge=kb), rule.id)
    assert [(f.period, f.case_ids) for f in fired] == [("2026", [first_morning.id, summer.id, last_evening.id])]


def test_evaluate_counts_only_the_periods_containing_at(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    cases = [add_case(session, intent="complaint/fees", at=sh(2026, 10, 1 + i, 9, 0)) for i in range(rule.threshold)]
    assert official(evaluate(session, bank=BANK, at=sh(2026, 11, 5, 9, 0), now=sh(2026, 11, 5, 9, 0), knowledge=kb), rule.id) == []
    fired = official(evaluate(session, bank=BANK, at=cases[0].received_at, now=cases[0].received_at, knowledge=kb), rule.id)
    assert [f.period for f in fired] == ["2026-10"]


def test_naive_at_as_read_back_from_sqlite_is_utc(session, kb):
    rule = kb.rules.threshold("bank_same_type_complaints")
    cases = [add_case(session, intent="complaint/fees", at=sh(2026, 12, 1, 0, 10)) for _ in range(rule.threshold)]
    naive = cases[0].received_at.replace(tzinfo=None)  # 2026-11-30 16:10, i.e. December in Shanghai
    assert [f.period for f in official(evaluate(session, bank=BANK, at=naive, now=naive, knowledge=kb), rule.id)] == ["2026-12"]


def test_a_rule_without_mapped_intents_never_fires_and_is_reported(session, knowledge, caplog, monkeypatch):
    import bot.thresholds.evaluation as module

    monkeypatch.setattr(module, "_reported_uncountable", set())
    bare = without_article(knowledge, 44)
    assert "outlet_violations" in uncountable_rules(bare)
    assert counted_intents(bare.rules.threshold("outlet_violations"), bare) == ()
    with caplog.at_level(logging.WARNING, logger="bot.thresholds"):
        for i in range(5):
            case = add_case(session, intent=VIOLATIONS[0], outlet=OUTLET, at=sh(2026, 3, 1 + i, 9, 0))
            fired = evaluate(session, bank=BANK, at=case.received_at, now=case.received_at, knowledge=bare)
            assert [f for f in fired if f.rule_id == "outlet_violations"] == []
    assert [r.getMessage() for r in caplog.records if "outlet_violations" in r.getMessage()] != []
    assert len([r for r in caplog.records if "outlet_violations" in r.getMessage()]) == 1  # once, not per call


def test_what_counts_follows_the_taxonomy(kb, knowledge):
    assert set(counted_intents(kb.rules.threshold("outlet_violations"), kb)) == set(VIOLATIONS)
    assert counted_intents(knowledge.rules.threshold("forced_selling"), knowledge) == ("complaint/forced_selling",)
    assert counted_intents(kb.rules.threshold("bank_complaint_volume"), kb) is None
    assert "outlet_violations" not in uncountable_rules(kb)


def test_firings_filters_by_bank_and_period(session, kb):
    forced = add_case(session, intent="complaint/forced_selling", at=sh(2026, 11, 3, 9, 0))
    evaluate(session, bank=BANK, at=forced.received_at, now=forced.received_at, knowledge=kb)
    for i in range(3):
        case = add_case(session, intent="complaint/fees", bank=OTHER_BANK, at=sh(2026, 12, 1 + i, 9, 0))
        evaluate(session, bank=OTHER_BANK, at=case.received_at, now=case.received_at, knowledge=kb)
    session.commit()
    mine = firings(session, bank=BANK)
    assert {(f.rule_id, f.period) for f in mine} == {("forced_selling", f"2026-11/{forced.id}")}
    assert {f.level for f in mine} == {OFFICIAL, WARNING}
    assert {f.bank for f in firings(session, period="2026-12")} == {OTHER_BANK}
    assert {f.period for f in firings(session, period="2026")} == {f"2026-11/{forced.id}", "2026-12"}
    assert firings(session, period="2026-10") == [] and firings(session, period="2027") == []
    assert {f.rule_id for f in firings(session, bank=OTHER_BANK, level=OFFICIAL)} == {"bank_same_type_complaints"}
    with pytest.raises(ValueError):
        firings(session, period="2026%")
