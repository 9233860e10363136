"""Property: cases added one by one, evaluated after each, make every (rule, level, subject,
period) fire at most once, and exactly when its final count reaches the threshold."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import new_session
from bot.ledger.models import Verification
from bot.thresholds import OFFICIAL, WARNING, evaluate, firings

from .conftest import BANK, OTHER_BANK, OTHER_OUTLET, OUTLET, VIOLATIONS, add_case, sh, wipe, with_thresholds

SH = ZoneInfo("Asia/Shanghai")
COUNTED_CHANNELS = {"hotline_12333", "telegram"}
INSTANTS = [sh(2026, 10, 31, 23, 59), sh(2026, 11, 1, 0, 0), sh(2026, 11, 30, 23, 30), sh(2026, 12, 1, 0, 10),
            sh(2026, 12, 31, 23, 59), sh(2027, 1, 1, 0, 1)]
PERIOD_RULES = ("outlet_praise_commendation", "bank_praise_commendation", "outlet_violations",
                "bank_same_type_complaints", "bank_complaint_volume")

cases_strategy = st.lists(st.fixed_dictionaries({
    "bank": st.sampled_from([BANK, OTHER_BANK]),
    "intent": st.sampled_from(["praise", "complaint/fees", "complaint/refusal", "complaint/forced_selling",
                               "complaint/attitude"]),
    "outlet": st.sampled_from([None, OUTLET, OTHER_OUTLET]),
    "verification": st.sampled_from(list(Verification)),
    "channel": st.sampled_from(["hotline_12333", "telegram", "bank_counter"]),
    "at": st.sampled_from(INSTANTS),
}), min_size=1, max_size=14)
thresholds_strategy = st.fixed_dictionaries({rule: st.tuples(st.integers(1, 3), st.integers(1, 3))
                                             for rule in PERIOD_RULES})


def _counts(rule, intent: str) -> bool:
    return {"praise": intent == "praise",
            "complaint": intent.startswith("complaint/"),
            "forced_selling": intent == "complaint/forced_selling",
            "violation": intent in VIOLATIONS}[rule.counts]


def expected_firings(cases, kb) -> dict[tuple[str, str, str, str], list[int]]:
    """Oracle: the cases (in order of arrival) of every key whose final count reaches its threshold."""
    out = {}
    for rule in kb.rules.thresholds:
        if rule.counts == "overdue_ticket":
            continue
        levels = [(OFFICIAL, rule.threshold, {Verification.found_true})]
        if rule.warning is not None:
            levels.append((WARNING, rule.warning.threshold, {Verification.received, Verification.found_true}))
        for level, threshold, verifications in levels:
            groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
            for case in cases:
                if not _counts(rule, case.intent) or case.channel not in COUNTED_CHANNELS \
                        or case.verification not in verifications:
                    continue
                local = case.received_at.astimezone(SH)
                period = {"year": f"{local:%Y}", "month": f"{local:%Y-%m}", "case": f"{local:%Y-%m}/{case.id}"}[rule.period]
                subject = case.bank
                if rule.subject == "outlet":
                    if case.outlet is None:
                        continue
                    subject += " " + case.outlet
                if rule.group_by == "complaint_type":
                    subject += " " + case.intent
                groups[(rule.id, level, subject, period)].append(case.id)
            for key, ids in groups.items():
                if len(ids) >= threshold:
                    out[key] = ids[:threshold]
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=cases_strategy, thresholds=thresholds_strategy)
def test_each_key_fires_at_most_once_and_iff_its_final_count_reaches_the_threshold(engine, kb, specs, thresholds):
    knowledge = with_thresholds(kb, thresholds)
    with new_session(engine) as session:
        wipe(session)
        cases, returned = [], []
        for spec in specs:
            case = add_case(session, **{k: v for k, v in spec.items() if k != "at"}, at=spec["at"])
            cases.append(case)
            returned += evaluate(session, bank=case.bank, at=case.received_at, now=case.received_at, knowledge=knowledge)
        session.commit()

        keys = [(f.rule_id, f.level, f.subject, f.period) for f in returned]
        assert len(keys) == len(set(keys)), "a key fired twice"
        stored = {(f.rule_id, f.level, f.subject, f.period): f for f in firings(session)}
        assert set(stored) == set(keys)
        expected = expected_firings(cases, knowledge)
        assert set(stored) == set(expected)
        for key, firing in stored.items():
            # Evaluated after every case, a rule fires the moment its count reaches the threshold.
            assert sorted(firing.case_ids) == sorted(expected[key])
            assert firing.count == len(expected[key])
