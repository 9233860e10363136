"""Turns the model's raw parse into the product's interpretation of a message."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.knowledge import Knowledge

FALLBACK_INTENT = "nlu_fallback"
BLANK_INTENT = "other/out_of_scope"
# Enough alternatives for a clarifying question that leaves out small talk (bot/answers).
RANKING_KEPT = 10
OUTLET_SUFFIXES = ("支行", "分行", "营业部", "营业所", "分理处", "网点", "营业厅")


@dataclass(frozen=True)
class Interpretation:
    """What a message means: category, intent (contract names), confidence and entities."""

    text: str
    category: str
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    entities: dict[str, str] = field(default_factory=dict)
    low_confidence: bool = False

    def to_contract(self) -> dict:
        """The `classify` output object of docs/contracts.md."""
        return {
            "text": self.text,
            "category": self.category,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "entities": dict(self.entities),
        }


def blank(text: str = "") -> Interpretation:
    """The interpretation of a message with nothing to understand."""
    return Interpretation(text=text, category="other", intent=BLANK_INTENT, confidence=0.0)


def interpret(text: str, parse: dict, knowledge: Knowledge) -> Interpretation:
    """Map a Rasa parse (rasa intent names, raw entity spans) to contract names and canonical values."""
    ranking = [
        (knowledge.intent_by_rasa_name(item["name"]).name, float(item.get("confidence") or 0.0))
        for item in parse.get("intent_ranking") or []
        if item.get("name") != FALLBACK_INTENT
    ]
    top = parse.get("intent") or {}
    low_confidence = top.get("name") == FALLBACK_INTENT
    if not ranking:
        return blank(text)
    intent, confidence = ranking[0]
    return Interpretation(
        text=text,
        category=knowledge.intent(intent).category,
        intent=intent,
        confidence=confidence,
        ranking=tuple(ranking[:RANKING_KEPT]),
        entities=canonical_entities(parse.get("entities") or [], text, knowledge),
        low_confidence=low_confidence,
    )


def canonical_entities(raw: list[dict], text: str, knowledge: Knowledge) -> dict[str, str]:
    """One canonical value per entity type, the earliest mention winning.

    The classifier and the lookup extractor may both report a span; aliases are resolved
    through knowledge/ so that 建行, CCB and 中国建设银行 all become 中国建设银行. A district
    inside an outlet's name (崂山支行) is part of that name, not a separate mention.
    """
    spans: list[tuple[int, int, str, str]] = []
    for ent in raw:
        kind, start, end = ent.get("entity"), ent.get("start", 0), ent.get("end", 0)
        surface = text[start:end] if 0 <= start < end <= len(text) else str(ent.get("value", ""))
        value: str | None
        if kind == "bank":
            value = knowledge.canonical_bank(str(ent.get("value", ""))) or knowledge.canonical_bank(surface)
        elif kind == "district":
            value = knowledge.canonical_district(str(ent.get("value", ""))) or knowledge.canonical_district(surface)
        elif kind == "outlet":
            value = outlet_name(surface, knowledge)
        else:
            continue
        if value:
            spans.append((start, end, kind, value))

    outlets = [(s, e) for s, e, kind, _ in spans if kind == "outlet"]
    result: dict[str, str] = {}
    for start, end, kind, value in sorted(spans):
        if kind == "district" and any(s <= start and end <= e for s, e in outlets):
            continue
        result.setdefault(kind, value)
    return result


def outlet_name(surface: str, knowledge: Knowledge) -> str | None:
    """The outlet's own name: without a bank alias glued in front, and not a bare suffix."""
    name = "".join(surface.split())
    names = (name for bank in knowledge.banks for name in bank.names)
    for alias in sorted(names, key=len, reverse=True):
        if name.startswith(alias) and len(name) > len(alias):
            name = name[len(alias):]
            break
    if not name or name in OUTLET_SUFFIXES or len(name) < 3:
        return None
    return name
