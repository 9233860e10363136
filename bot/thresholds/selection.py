"""Which cases a threshold rule counts, read from the knowledge base (never a list in code).

- ``counts: praise`` / ``complaint``: every case of that kind.
- ``counts: forced_selling`` / ``violation``: complaints whose intent, in taxonomy.yml, rests on
  the rule's article (``complaint/forced_selling`` cites Art. 47, so Art. 47 counts it). An
  intent counts toward Art. 44 (violations of operating rules) once taxonomy.yml lists 44
  among its articles; until then the rule has nothing to count (see `uncountable_rules`).
- ``group_by: complaint_type``: "同类" (Art. 45) is read as the same complaint intent, as
  rules.yml notes.
- Art. 50: only matters that came through the listed channels count; a product channel
  counts where channels.yml says which listed channel it is ``counted_as``.
- ``count: found_true`` counts verified cases (official level); a rule's ``warning`` counts
  received cases that were not found untrue (early-warning level).
- ``counts: overdue_ticket`` counts tickets, not cases (see `bot.thresholds.evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Knowledge
from bot.knowledge.models import ThresholdRule
from bot.ledger.models import CaseKind, Verification

OFFICIAL = "official"
WARNING = "warning"

CASE_KINDS = {"praise": CaseKind.praise, "complaint": CaseKind.complaint,
              "forced_selling": CaseKind.complaint, "violation": CaseKind.complaint}
# Kinds of counts that are a subset of a kind's intents, picked by the rule's article.
BY_ARTICLE = ("forced_selling", "violation")

LEVEL_VERIFICATIONS = {
    OFFICIAL: (Verification.found_true,),
    WARNING: (Verification.received, Verification.found_true),
}


@dataclass(frozen=True)
class Selection:
    """What one rule counts at one level."""

    kind: CaseKind
    intents: tuple[str, ...] | None  # None: every intent of the kind
    channels: tuple[str, ...]
    verifications: tuple[Verification, ...]


def counting_channels(knowledge: Knowledge) -> tuple[str, ...]:
    """Channel codes whose matters count (Art. 50), directly or through ``counted_as``."""
    listed = {c.code for c in knowledge.channels if c.source == "regulation"}
    return tuple(sorted(c.code for c in knowledge.channels if c.code in listed or c.counted_as in listed))


def counted_intents(rule: ThresholdRule, knowledge: Knowledge) -> tuple[str, ...] | None:
    """The intents a case rule counts; None means all intents of its kind, () means none."""
    if rule.counts not in CASE_KINDS:
        raise ValueError(f"rule {rule.id} counts {rule.counts}, not cases")
    if rule.counts not in BY_ARTICLE:
        return None
    category = CASE_KINDS[rule.counts].value
    return tuple(i.name for i in knowledge.intents_in(category) if rule.article in i.articles)


def levels(rule: ThresholdRule) -> list[tuple[str, int]]:
    """(level, threshold) pairs the rule fires at."""
    out = [(OFFICIAL, rule.threshold)]
    if rule.warning is not None and rule.count == "found_true":
        out.append((WARNING, rule.warning.threshold))
    return out


def selection(rule: ThresholdRule, level: str, knowledge: Knowledge) -> Selection | None:
    """What `rule` counts at `level`, or None when the knowledge base maps nothing to it."""
    intents = counted_intents(rule, knowledge)
    if intents == ():
        return None
    if rule.count != "found_true":
        raise ValueError(f"rule {rule.id}: cases are counted found_true, not {rule.count}")
    return Selection(kind=CASE_KINDS[rule.counts], intents=intents, channels=counting_channels(knowledge),
                     verifications=LEVEL_VERIFICATIONS[level])


def articles(rule: ThresholdRule, level: str) -> list[int]:
    """Articles a firing rests on: the rule's own, plus Art. 50 when it counts found-true matters."""
    if level == OFFICIAL and rule.count == "found_true":
        return sorted({rule.article, 50})
    return [rule.article]


def uncountable_rules(knowledge: Knowledge) -> tuple[str, ...]:
    """Ids of case rules to which the knowledge base maps no intent: they can never fire.

    With the shipped taxonomy this is ``outlet_violations``: no complaint intent cites Art. 44
    yet, which intents are "违反操作规程" is the operator's decision.
    """
    return tuple(r.id for r in knowledge.rules.thresholds
                 if r.counts in CASE_KINDS and counted_intents(r, knowledge) == ())
