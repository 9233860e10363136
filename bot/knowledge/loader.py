"""Loading and cross-validating the knowledge folder.

Each file is checked against its model, then the files are checked against each other and
against the Measures (every cited article exists, every quote is found in its article, every
inquiry intent has a guide …). All problems found are reported together in one KnowledgeError.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .catalogue import Catalogue
from .errors import KnowledgeError, Problem
from .knowledge import Knowledge, normalize_name
from .models import (
    AssessmentConfig,
    Banks,
    Channels,
    Districts,
    Guide,
    Inspections,
    Messages,
    NoticeCase,
    OperatorConfig,
    Responses,
    Rules,
    Taxonomy,
    TimeLimit,
    Vocabulary,
    Words,
    chinese_number,
)
from .regulation import parse_regulation
from .yamlio import PathParts, YamlDocument, format_path, read_yaml

REGULATION_FILE = "regulation.txt"
OPERATOR_FILE = "operator.yml"
# The Measures' chapter of service rules (经办服务规范), which on-site inspections check.
SERVICE_RULES_CHAPTER = 2

# The message catalogue: one namespace of sentences over these files (bot/knowledge/catalogue.py).
CATALOGUE_FILES = ("replies.yml", "errors.yml", "labels.yml", "console.yml", "reports.yml", "bank_api.yml")
# file name → (the type it must validate as, key under which a mapping's own key is injected
# into each value). Adapters are built on first use so that importing costs nothing.
_SCHEMAS: dict[str, tuple[Any, str | None]] = {
    OPERATOR_FILE: (OperatorConfig, None),
    "taxonomy.yml": (Taxonomy, None),
    "guides.yml": (dict[str, Guide], "intent"),
    "time_limits.yml": (dict[str, TimeLimit], "key"),
    "notices.yml": (dict[str, NoticeCase], "key"),
    "rules.yml": (Rules, None),
    "channels.yml": (Channels, None),
    "banks.yml": (Banks, None),
    "districts.yml": (Districts, None),
    "inspections.yml": (Inspections, None),
    "vocabulary.yml": (Vocabulary, None),
    **{name: (Messages, None) for name in CATALOGUE_FILES},
    "responses.yml": (Responses, None),
    "words.yml": (Words, None),
    "assessment.yml": (AssessmentConfig, None),
}
KNOWLEDGE_FILES: tuple[str, ...] = (REGULATION_FILE, *_SCHEMAS)
# Files whose ${placeholders} are filled when a sentence is said, not when loading.
_RENDER_TIME_TEMPLATES = frozenset({*CATALOGUE_FILES, "responses.yml"})


# Operator values are written as {service_phone} in texts so that a phone number or opening
# hours live in operator.yml only.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(_SCHEMAS[name][0])


def default_root() -> Path:
    """The repository's ``knowledge/`` folder (bot/knowledge/ → repository root)."""
    return Path(__file__).resolve().parents[2] / "knowledge"


@functools.cache
def get_knowledge() -> Knowledge:
    """The knowledge base of the default folder, loaded once per process."""
    return load_knowledge()


def load_knowledge(root: Path | str | None = None) -> Knowledge:
    """Load, validate and cross-validate the knowledge folder; raise KnowledgeError if broken."""
    root = Path(root) if root is not None else default_root()
    problems: list[Problem] = []

    regulation = None
    try:
        regulation = parse_regulation(root / REGULATION_FILE)
    except KnowledgeError as exc:
        problems.extend(exc.problems)

    docs: dict[str, YamlDocument] = {}
    for name in _SCHEMAS:
        try:
            docs[name] = read_yaml(root / name)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    assert regulation is not None
    title, chapters, articles = regulation

    models: dict[str, Any] = {}
    problems.extend(_check_articles(docs[OPERATOR_FILE], articles))
    operator = _validate(docs[OPERATOR_FILE], problems)
    if operator is None:
        raise KnowledgeError(problems)
    models[OPERATOR_FILE] = operator

    for name, doc in docs.items():
        if name == OPERATOR_FILE:
            continue
        if name not in _RENDER_TIME_TEMPLATES:
            _substitute_operator_values(doc, operator, problems)
        problems.extend(_check_articles(doc, articles))
        models[name] = _validate(doc, problems)
    if problems:
        raise KnowledgeError(problems)

    problems.extend(_cross_check(docs, models, articles))
    problems.extend(_check_catalogue(docs, models, articles))
    if problems:
        raise KnowledgeError(problems)

    taxonomy: Taxonomy = models["taxonomy.yml"]
    return Knowledge(
        root=root,
        regulation_title=title,
        articles=articles,
        chapters=chapters,
        categories=taxonomy.categories,
        intents=taxonomy.intents,
        guides=models["guides.yml"],
        time_limits=models["time_limits.yml"],
        notices=models["notices.yml"],
        rules=models["rules.yml"],
        channels=models["channels.yml"].channels,
        banks=models["banks.yml"].banks,
        districts=models["districts.yml"].districts,
        inspections=models["inspections.yml"],
        operator=operator,
        vocabulary=models["vocabulary.yml"],
        messages=Catalogue({key: text for name in CATALOGUE_FILES for key, text in models[name].messages.items()},
                           responses=models["responses.yml"].responses),
        words=models["words.yml"],
    )


# --------------------------------------------------------------------------- schema validation


def _validate(doc: YamlDocument, problems: list[Problem]) -> Any:
    key_field = _SCHEMAS[doc.file][1]
    adapter = _adapter(doc.file)
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), "the file must contain a YAML mapping at the top level"))
        return None
    if key_field is not None:
        injected = {}
        for key, value in data.items():
            if isinstance(value, dict):
                if key_field in value:
                    problems.append(doc.problem((key, key_field), f"do not set {key_field!r}: the mapping key is used"))
                    return None
                value = {**value, key_field: key}
            injected[key] = value
        data = injected
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        errors = exc.errors()
        for error in errors:
            # A list whose only item is invalid is also reported "too short"; that is noise.
            if error["type"] == "too_short" and any(
                other["loc"][: len(error["loc"])] == error["loc"] and len(other["loc"]) > len(error["loc"])
                for other in errors
            ):
                continue
            parts, missing = _resolve_loc(doc.data, error["loc"])
            problems.append(doc.problem(parts, _error_message(error, missing)))
        return None


def _resolve_loc(data: Any, loc: tuple[Any, ...]) -> tuple[PathParts, list[Any]]:
    """Map a pydantic error location onto the YAML path; collect parts with no YAML counterpart."""
    parts: list[str | int] = []
    skipped: list[Any] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            parts.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            parts.append(part)
            current = current[part]
        else:
            # Union member names ("str", "function-after[...]") or a key absent from the file.
            skipped.append(part)
    return tuple(parts), skipped


def _error_message(error: dict[str, Any], skipped: list[Any]) -> str:
    kind = error["type"]
    message = error["msg"]
    if kind == "missing" and skipped:
        return f"missing required key {skipped[-1]!r}"
    if kind == "extra_forbidden":
        return "unknown key (not part of this file's format; check the spelling)"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if "input" not in error or isinstance(error["input"], (dict, list)):
        return message
    return f"{message} (got {error['input']!r})"


# --------------------------------------------------------------------------- generic checks


def _walk(data: Any, parts: PathParts = ()) -> Iterator[tuple[PathParts, Any]]:
    yield parts, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, parts + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, parts + (index,))


def _check_articles(doc: YamlDocument, articles: dict[int, Any]) -> list[Problem]:
    """Every cited article exists and every quote is found verbatim in its article."""
    problems = []
    last = max(articles)

    def check(parts: PathParts, number: Any) -> None:
        if isinstance(number, int) and not isinstance(number, bool) and number not in articles:
            problems.append(doc.problem(parts, f"article {number} does not exist (the Measures have articles 1–{last})"))

    for parts, value in _walk(doc.data):
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("articles"), list):
            for index, number in enumerate(value["articles"]):
                check(parts + ("articles", index), number)
        if "article" in value:
            check(parts + ("article",), value["article"])
            quote, number = value.get("quote"), value["article"]
            if isinstance(quote, str) and number in articles:
                if _squash(quote) not in _squash(articles[number].text):
                    problems.append(
                        doc.problem(parts + ("quote",), f"quote not found in article {number}: {quote!r}")
                    )
    return problems


_CITED = re.compile(r"第([一二三四五六七八九十百零]+)条")


def _check_catalogue(docs: dict[str, YamlDocument], models: dict[str, Any],
                     articles: dict[int, Any]) -> list[Problem]:
    """One namespace over the catalogue's files, and every article a sentence cites exists."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    numerals = {chinese_number(number) for number in articles}
    texts: list[tuple[str, PathParts, str]] = []
    for name in CATALOGUE_FILES:
        for key, text in models[name].messages.items():
            if key in owner:
                problems.append(docs[name].problem(("messages", key), f"key {key!r} is also in {owner[key]}"))
            owner.setdefault(key, name)
            texts.append((name, ("messages", key), text))
    for index, entry in enumerate(models["words.yml"].time_limit):
        if entry.limit not in models["time_limits.yml"]:
            problems.append(docs["words.yml"].problem(("time_limit", index, "limit"),
                                                      f"{entry.limit!r} is not a time limit of time_limits.yml"))
    for key, response in models["responses.yml"].responses.items():
        texts.append(("responses.yml", ("responses", key, "text"), response.text))
    problems.extend(_check_inspection_periods(docs["rules.yml"], models))
    for name, parts, text in texts:
        for numeral in _CITED.findall(text):
            if numeral not in numerals:
                problems.append(docs[name].problem(parts, f"cites 第{numeral}条, which the Measures do not have"))
    return problems


# Art. 38's periods, as rules.yml names them by the catalogue's inspection_period_<kind>.
INSPECTION_PERIOD_KINDS = ("month", "quarter", "half_year", "year")


def _check_inspection_periods(doc: YamlDocument, models: dict[str, Any]) -> list[Problem]:
    """Every period of deadlines.self_inspection is one the catalogue names (labels.yml)."""
    labels = models["labels.yml"].messages
    known = {labels[f"inspection_period_{kind}"] for kind in INSPECTION_PERIOD_KINDS
             if f"inspection_period_{kind}" in labels}
    periods = models["rules.yml"].deadlines.self_inspection.periods
    return [doc.problem(("deadlines", "self_inspection", "periods", index),
                        f"unknown period {name!r} (labels.yml names: {', '.join(sorted(known))})")
            for index, name in enumerate(periods) if name not in known]


def _squash(text: str) -> str:
    # The verbatim text has stray spaces ("由 2 名或 2 名以上") that quotes need not copy.
    return "".join(text.split())


def _substitute_operator_values(doc: YamlDocument, operator: OperatorConfig, problems: list[Problem]) -> None:
    """Replace {setting} by operator values, only inside statements marked source: operator."""

    def visit(value: Any, parts: PathParts, source: Any) -> Any:
        if isinstance(value, dict):
            inner = value.get("source", source)
            return {k: visit(v, parts + (k,), inner) for k, v in value.items()}
        if isinstance(value, list):
            return [visit(v, parts + (i,), source) for i, v in enumerate(value)]
        if isinstance(value, str) and _PLACEHOLDER.search(value):
            if source != "operator":
                problems.append(
                    doc.problem(parts, "operator values ({…}) may only appear where source: operator is marked")
                )
                return value

            def replace(match: re.Match[str]) -> str:
                key = match.group(1)
                if key not in operator.settings:
                    known = ", ".join(sorted(operator.settings))
                    problems.append(doc.problem(parts, f"unknown operator setting {{{key}}} (operator.yml has: {known})"))
                    return match.group(0)
                return str(operator.settings[key].text)

            return _PLACEHOLDER.sub(replace, value)
        return value

    doc.data = visit(doc.data, (), None)


# --------------------------------------------------------------------------- cross-file checks


def _cross_check(docs: dict[str, YamlDocument], models: dict[str, Any], articles: dict[int, Any]) -> list[Problem]:
    problems: list[Problem] = []
    taxonomy: Taxonomy = models["taxonomy.yml"]
    tax_doc = docs["taxonomy.yml"]

    # -- taxonomy
    categories: dict[str, int] = {}
    for index, category in enumerate(taxonomy.categories):
        if category.name in categories:
            problems.append(tax_doc.problem(("categories", index, "name"), f"duplicate category {category.name!r}"))
        categories.setdefault(category.name, index)
    if "inquiry" not in categories:
        problems.append(tax_doc.problem(("categories",), "the 'inquiry' category is required (guides belong to it)"))
    intents: dict[str, int] = {}
    rasa_names: dict[str, str] = {}
    for index, intent in enumerate(taxonomy.intents):
        if intent.name in intents:
            problems.append(
                tax_doc.problem(
                    ("intents", index, "name"),
                    f"duplicate intent {intent.name!r} (first at intents[{intents[intent.name]}])",
                )
            )
            continue
        intents[intent.name] = index
        if intent.rasa_name in rasa_names:
            problems.append(
                tax_doc.problem(
                    ("intents", index, "name"),
                    f"Rasa name {intent.rasa_name!r} collides with intent {rasa_names[intent.rasa_name]!r}",
                )
            )
        rasa_names.setdefault(intent.rasa_name, intent.name)
        if intent.category not in categories:
            problems.append(
                tax_doc.problem(
                    ("intents", index, "category"),
                    f"unknown category {intent.category!r} (known: {', '.join(categories)})",
                )
            )

    # -- guides: exactly one per inquiry intent
    guides: dict[str, Guide] = models["guides.yml"]
    guide_doc = docs["guides.yml"]
    time_limits: dict[str, TimeLimit] = models["time_limits.yml"]
    notices: dict[str, NoticeCase] = models["notices.yml"]
    inquiry = [i for i in taxonomy.intents if i.category == "inquiry"]
    for intent in inquiry:
        if intent.name not in guides:
            line = tax_doc.line_of(("intents", intents[intent.name]))
            problems.append(
                guide_doc.problem(
                    (intent.name,),
                    f"no guide for inquiry intent {intent.name!r} (taxonomy.yml line {line}); every inquiry intent needs one",
                )
            )
    inquiry_names = {i.name for i in inquiry}
    for key, guide in guides.items():
        if key not in inquiry_names:
            what = "is not an inquiry intent" if key in intents else "is not an intent in taxonomy.yml"
            problems.append(guide_doc.problem((key,), f"guide for {key!r}, which {what}"))
        known_limits = ", ".join(time_limits)
        if guide.time_limit is not None and guide.time_limit not in time_limits:
            problems.append(
                guide_doc.problem(
                    (key, "time_limit"), f"unknown time limit {guide.time_limit!r} (time_limits.yml has: {known_limits})"
                )
            )
        for index, limit in enumerate(guide.related_time_limits):
            if limit not in time_limits:
                problems.append(
                    guide_doc.problem(
                        (key, "related_time_limits", index),
                        f"unknown time limit {limit!r} (time_limits.yml has: {known_limits})",
                    )
                )
        if guide.notice_case is not None and guide.notice_case not in notices:
            problems.append(
                guide_doc.problem(
                    (key, "notice_case"),
                    f"unknown notice case {guide.notice_case!r} (notices.yml has: {', '.join(notices)})",
                )
            )

    # -- notices: the item must exist in the article
    notice_doc = docs["notices.yml"]
    for key, notice in notices.items():
        items = articles[notice.article].items
        if notice.item not in items:
            problems.append(
                notice_doc.problem(
                    (key, "item"),
                    f"article {notice.article} has no item （{notice.item}） (it has: {', '.join(items) or 'none'})",
                )
            )

    # -- score weights refer to the items of Art. 40
    rules: Rules = models["rules.yml"]
    weights = rules.score_weights
    weight_items = articles[weights.article].items
    for index, weight in enumerate(weights.items):
        if weight.item not in weight_items:
            problems.append(
                docs["rules.yml"].problem(
                    ("score_weights", "items", index, "item"),
                    f"article {weights.article} has no item （{weight.item}）",
                )
            )
    bonus_codes = {e.code for e in rules.grades.bonus_events}
    for code in weights.bonus_points:
        if code not in bonus_codes:
            problems.append(
                docs["rules.yml"].problem(
                    ("score_weights", "bonus_points", code),
                    f"{code!r} is not one of grades.bonus_events ({', '.join(sorted(bonus_codes))})",
                )
            )

    # -- assessment.yml scores the items of score_weights (Art. 40) and nothing else
    assessment_doc = docs["assessment.yml"]
    assessment: AssessmentConfig = models["assessment.yml"]
    weight_codes = {w.code for w in weights.items}
    known_codes = ", ".join(sorted(weight_codes))
    for code in assessment.computed:
        if code not in weight_codes:
            problems.append(assessment_doc.problem(
                ("computed", code), f"{code!r} is not an item of score_weights in rules.yml ({known_codes})"))
    if assessment.ledger_points.item not in weight_codes:
        problems.append(assessment_doc.problem(
            ("ledger_points", "item"),
            f"{assessment.ledger_points.item!r} is not an item of score_weights in rules.yml ({known_codes})"))

    # -- districts and banks: names and aliases must identify one entry
    district_doc = docs["districts.yml"]
    districts = models["districts.yml"].districts
    problems.extend(_check_names(district_doc, "districts", districts, "district"))
    district_names = {d.name for d in districts}

    bank_doc = docs["banks.yml"]
    banks = models["banks.yml"].banks
    problems.extend(_check_names(bank_doc, "banks", banks, "bank"))
    for b_index, bank in enumerate(banks):
        seen: set[str] = set()
        for o_index, outlet in enumerate(bank.outlets.items):
            parts = ("banks", b_index, "outlets", "items", o_index)
            if outlet.name in seen:
                problems.append(bank_doc.problem(parts + ("name",), f"outlet {outlet.name!r} listed twice for {bank.name}"))
            seen.add(outlet.name)
            if outlet.district not in district_names:
                problems.append(
                    bank_doc.problem(
                        parts + ("district",),
                        f"unknown district {outlet.district!r}; use a canonical name from districts.yml",
                    )
                )

    # -- inspections: each item checks a service rule of Chapter II (经办服务规范, Art. 7–19)
    inspection_doc = docs["inspections.yml"]
    for index, item in enumerate(models["inspections.yml"].items):
        if item.article in articles and articles[item.article].chapter != SERVICE_RULES_CHAPTER:
            problems.append(inspection_doc.problem(
                ("items", index, "article"), f"article {item.article} is not a service rule of Chapter II"))

    # -- channels
    channel_doc = docs["channels.yml"]
    channels = models["channels.yml"].channels
    codes: dict[str, int] = {}
    for index, channel in enumerate(channels):
        if channel.code in codes:
            problems.append(channel_doc.problem(("channels", index, "code"), f"duplicate channel code {channel.code!r}"))
        codes.setdefault(channel.code, index)
    for index, channel in enumerate(channels):
        if channel.counted_as is not None:
            target = next((c for c in channels if c.code == channel.counted_as), None)
            if target is None or target.source != "regulation":
                problems.append(
                    channel_doc.problem(
                        ("channels", index, "counted_as"),
                        f"{channel.counted_as!r} is not a channel listed in the Measures (source: regulation)",
                    )
                )

    # -- vocabulary
    vocab_doc = docs["vocabulary.yml"]
    words: set[str] = set()
    for index, term in enumerate(models["vocabulary.yml"].terms):
        if term.word in words:
            problems.append(vocab_doc.problem(("terms", index, "word"), f"term {term.word!r} listed twice"))
        words.add(term.word)
    misspellings = models["vocabulary.yml"].misspellings
    for wrong, right in misspellings.items():
        where = ("misspellings", wrong)
        if wrong == right or wrong in right:
            # 社保 → 社保卡 would turn 社保卡 into 社保卡卡.
            problems.append(vocab_doc.problem(where, f"{wrong!r} → {right!r} would rewrite the word it yields"))
        elif any(other in right for other in misspellings if other != wrong):
            problems.append(vocab_doc.problem(where, f"{right!r} contains another misspelling: corrections do not chain"))
        elif wrong in words:
            problems.append(vocab_doc.problem(where, f"{wrong!r} is a term of this file, not a misspelling"))

    return problems


def _check_names(doc: YamlDocument, list_key: str, entries: Any, what: str) -> list[Problem]:
    """Canonical names, aliases and codes must each lead to exactly one entry."""
    problems: list[Problem] = []
    owner: dict[str, tuple[str, str]] = {}  # normalized name → (canonical, YAML path)
    codes: dict[str, str] = {}

    def claim(key: str, entry_name: str, parts: PathParts, shown: str, same_entry_ok: bool) -> None:
        normalized = normalize_name(key)
        if normalized in owner:
            other, other_path = owner[normalized]
            if other == entry_name and same_entry_ok:
                return
            if other == entry_name:
                problems.append(doc.problem(parts, f"duplicate alias {shown!r}: already listed for {entry_name} ({other_path})"))
            else:
                problems.append(
                    doc.problem(parts, f"duplicate alias {shown!r}: already used by {what} {other} ({other_path})")
                )
            return
        owner[normalized] = (entry_name, format_path(parts))

    for index, entry in enumerate(entries):
        base = (list_key, index)
        claim(entry.name, entry.name, base + ("name",), entry.name, False)
        for a_index, alias in enumerate(entry.aliases):
            claim(alias, entry.name, base + ("aliases", a_index), alias, False)
        if entry.code in codes:
            problems.append(doc.problem(base + ("code",), f"duplicate code {entry.code!r} (also {codes[entry.code]})"))
        codes.setdefault(entry.code, entry.name)
    # Codes are matched too (canonical_bank("ccb")); a code may repeat its own entry's alias.
    for index, entry in enumerate(entries):
        claim(entry.code, entry.name, (list_key, index, "code"), entry.code, True)
    return problems


def reload_knowledge() -> Knowledge:
    """Drop the cached knowledge base and load it again (after editing the files)."""
    get_knowledge.cache_clear()
    return get_knowledge()

