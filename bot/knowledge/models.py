"""Pydantic models of the knowledge files.

Every model is frozen and forbids unknown keys, so a misspelt key in a YAML file (``time_limt``)
is an error rather than a silently ignored value. Lists are tuples for the same reason.

``source`` fields separate what the Measures say (``regulation``, with the articles it rests on)
from what the operator configures (``operator``: materials, phones, hours, outlets, fees of
banks …). Answers must present operator facts with a caveat such as "以网点公示为准".
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
ArticleNumber = Annotated[int, Field(ge=1)]
Source = Literal["regulation", "operator"]
FeeKind = Literal["free", "bank_fees"]

_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 17 → 十七, 56 → 五十六 (up to 999, enough for article numbers)."""
    if not 0 < n < 1000:
        raise ValueError(f"out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _CN_DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    if ones:
        out += _CN_DIGITS[ones]
    return out


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --------------------------------------------------------------------------- regulation

_ITEM_LINE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")


class Article(Frozen):
    number: ArticleNumber
    chapter: int
    chapter_title: Text
    text: Text

    @property
    def label(self) -> str:
        return f"第{chinese_number(self.number)}条"

    @property
    def items(self) -> dict[str, str]:
        """Enumerated items keyed by their numeral: Art. 19 → {"一": "申请人参保信息有误…", "二": …}."""
        out: dict[str, str] = {}
        for line in self.text.splitlines():
            match = _ITEM_LINE.match(line)
            if match:
                out[match.group(1)] = match.group(2)
        return out


class Chapter(Frozen):
    number: int
    title: Text
    articles: tuple[ArticleNumber, ...]

    @property
    def label(self) -> str:
        return f"第{chinese_number(self.number)}章 {self.title}"


# --------------------------------------------------------------------------- shared pieces


class Statement(Frozen):
    """One sentence of an answer, with where it comes from."""

    text: Text
    source: Source
    articles: tuple[ArticleNumber, ...] = ()

    @model_validator(mode="after")
    def _regulation_needs_articles(self) -> Statement:
        if self.source == "regulation" and not self.articles:
            raise ValueError("a statement with source 'regulation' must cite its articles")
        return self

    @property
    def is_operator(self) -> bool:
        return self.source == "operator"


class OperatorValue(Frozen):
    value: Text
    source: Literal["operator"]
    note: Text | None = None


# --------------------------------------------------------------------------- taxonomy.yml


class Category(Frozen):
    name: Slug
    label: Text
    description: Text | None = None
    # Complaints and praise aimed at a bank become transfer tickets (Art. 27).
    creates_ticket: bool = False


class Intent(Frozen):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*(/[a-z][a-z_]*)?$")]
    category: Slug
    label: Text
    description: Text | None = None
    articles: tuple[ArticleNumber, ...] = ()
    # False for an intent that says only what kind of message it is ("我要投诉"): the dialogue
    # then asks for the specific intent, and it is never offered as a choice itself.
    specific: bool = True

    @property
    def rasa_name(self) -> str:
        # Rasa reserves "/" for retrieval intents.
        return self.name.replace("/", "_")

    @model_validator(mode="after")
    def _name_matches_category(self) -> Intent:
        if self.name != self.category and not self.name.startswith(self.category + "/"):
            raise ValueError(f"intent {self.name!r} must be named {self.category!r} or start with '{self.category}/'")
        return self


class Taxonomy(Frozen):
    categories: tuple[Category, ...] = Field(min_length=1)
    intents: tuple[Intent, ...] = Field(min_length=1)


# --------------------------------------------------------------------------- guides.yml

# A guide's direct answer opens every reply to the inquiry: two lines of a phone screen at most.
LEAD_MAX_CHARS = 120


class Materials(Frozen):
    # The Measures list no materials at all, hence operator-only.
    source: Literal["operator"]
    items: tuple[Text, ...] = Field(min_length=1)
    note: Text | None = None


class Guide(Frozen):
    intent: Text
    title: Text
    answer: Annotated[Text, StringConstraints(max_length=LEAD_MAX_CHARS)]
    materials: Materials
    where: Statement
    procedure: tuple[Statement, ...] = Field(min_length=1)
    time_limit: Text | None
    related_time_limits: tuple[Text, ...] = ()
    fee: tuple[FeeKind, ...] = Field(min_length=1)
    articles: tuple[ArticleNumber, ...] = Field(min_length=1)
    notice_case: Text | None = None
    notes: tuple[Statement, ...] = ()

    @field_validator("fee", mode="before")
    @classmethod
    def _fee_scalar(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator("fee")
    @classmethod
    def _fee_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("fee kinds must not repeat")
        return value

    @property
    def statements(self) -> tuple[Statement, ...]:
        return (self.where, *self.procedure, *self.notes)


# --------------------------------------------------------------------------- time_limits.yml


class TimeLimit(Frozen):
    key: Text
    label: Text
    applies_to: Text
    working_days: int = Field(ge=0)
    immediate: bool
    issued_to: Literal["申领人", "申领单位"]
    article: ArticleNumber
    quote: Text
    note: Text

    @model_validator(mode="after")
    def _immediate_iff_zero(self) -> TimeLimit:
        if self.immediate != (self.working_days == 0):
            raise ValueError("immediate must be true exactly when working_days is 0")
        return self


# --------------------------------------------------------------------------- notices.yml


class NoticeCase(Frozen):
    key: Text
    title: Text
    article: ArticleNumber
    item: Literal["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    quote: Text
    reason: Text
    handled_at: Text
    missing: tuple[Statement, ...] = Field(min_length=1)
    procedure: tuple[Statement, ...] = Field(min_length=1)
    follow_up_days: int = Field(ge=1)
    register_fields: tuple[Text, ...] = Field(min_length=1)

    @property
    def citation(self) -> str:
        return f"第{chinese_number(self.article)}条第（{self.item}）项"


# --------------------------------------------------------------------------- rules.yml


class Warning_(Frozen):
    """Early warning on received (not yet verified) cases: a product feature, not in the Measures."""

    count: Literal["received"]
    threshold: int = Field(ge=1)
    source: Literal["operator"]
    note: Text | None = None


class ThresholdRule(Frozen):
    id: Slug
    article: ArticleNumber
    quote: Text
    subject: Literal["outlet", "bank"]
    period: Literal["year", "month", "case"]
    counts: Literal["praise", "complaint", "violation", "forced_selling", "overdue_ticket"]
    # found_true: only verified cases count (Art. 50); recorded: facts the system itself
    # establishes (a ticket past its due date needs no verification).
    count: Literal["found_true", "recorded"]
    group_by: Literal["complaint_type"] | None = None
    threshold: int = Field(ge=1)
    consequence: Text
    next_steps: tuple[Text, ...] = Field(min_length=1)
    confirmation: Text | None = None
    assessment: Literal["bonus", "counted", "fail_if_serious"] | None = None
    warning: Warning_ | None = None


class GradeBand(Frozen):
    grade: Text
    code: Slug
    min_score: float = Field(ge=0, le=100)


class GradeEvent(Frozen):
    code: Slug
    text: Text
    article: ArticleNumber


class Grades(Frozen):
    article: ArticleNumber
    quote: Text
    bands: tuple[GradeBand, ...] = Field(min_length=1)
    automatic_fail: tuple[GradeEvent, ...] = ()
    bonus_events: tuple[GradeEvent, ...] = ()

    @model_validator(mode="after")
    def _bands_descend_to_zero(self) -> Grades:
        scores = [b.min_score for b in self.bands]
        if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
            raise ValueError("grade bands must be listed from the highest min_score down, without ties")
        if scores[-1] != 0:
            raise ValueError("the last grade band must start at 0 so every score has a grade")
        return self

    def grade_for(self, score: float) -> GradeBand:
        for band in self.bands:
            if score >= band.min_score:
                return band
        return self.bands[-1]


class ScoreWeight(Frozen):
    code: Slug
    label: Text
    item: Text
    weight: float = Field(gt=0)


class ScoreWeights(Frozen):
    """Art. 41 asks for a weighted sum but gives no weights: operator configuration."""

    source: Literal["operator"]
    article: ArticleNumber
    note: Text | None = None
    items: tuple[ScoreWeight, ...] = Field(min_length=1)
    bonus_points: dict[str, float] = Field(default_factory=dict)
    max_score: float = 100

    @model_validator(mode="after")
    def _sum_to_hundred(self) -> ScoreWeights:
        total = sum(w.weight for w in self.items)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"weights must add up to 100, they add up to {total:g}")
        return self


class Suspension(Frozen):
    id: Slug
    article: ArticleNumber
    quote: Text
    trigger: Text
    effect: Text


class SelfInspection(Frozen):
    """Art. 38: summaries per period, due on a day of the next month at a time (Asia/Shanghai),
    moved to the next working day when that day is not one."""

    article: ArticleNumber
    quote: Text
    periods: tuple[Text, ...] = Field(min_length=1)
    due_day_of_next_month: int = Field(ge=1, le=28)
    due_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    holiday_rule: Literal["next_working_day"]

    @field_validator("periods")
    @classmethod
    def _periods_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a period must not be listed twice")
        return value

    @property
    def due_clock(self) -> time:
        """``due_time`` as a time of day."""
        hour, minute = self.due_time.split(":")
        return time(int(hour), int(minute))


class DistrictInspection(Frozen):
    article: ArticleNumber
    quote: Text
    min_outlets_per_week: int = Field(ge=1)
    record_within_working_days: int = Field(ge=1)


class Objection(Frozen):
    article: ArticleNumber
    quote: Text
    days: int = Field(ge=1)
    day_kind: Literal["calendar", "working"]
    note: Text | None = None


class ExtensionRule(Frozen):
    article: ArticleNumber
    quote: Text
    working_days_before_due: int = Field(ge=0)
    refusal_reason: Text


class Deadlines(Frozen):
    self_inspection: SelfInspection
    district_inspection: DistrictInspection
    objection: Objection
    extension_request: ExtensionRule


class TicketKindDue(Frozen):
    label: Text
    working_days: int = Field(ge=1)


class TicketDue(Frozen):
    """The Measures say "规定时限" (Art. 9, 27) without a number: operator configuration."""

    source: Literal["operator"]
    articles: tuple[ArticleNumber, ...]
    note: Text | None = None
    transfer: TicketKindDue
    supervision: TicketKindDue
    acknowledgement: TicketKindDue  # how soon a bank signs for a transfer ticket (the board's response rate)


class SatisfactionRules(Frozen):
    """How citizens are asked about the handling of their complaint (Art. 25(二), 40): operator configuration."""

    source: Literal["operator"]
    article: ArticleNumber
    quote: Text
    articles: tuple[ArticleNumber, ...]
    note: Text | None = None
    remind_after_working_days: int = Field(ge=1)  # a Telegram question unanswered this long is asked again once
    no_answer_after_working_days: int = Field(ge=1)  # after the reminder: the callback ends unanswered
    phone_attempts: int = Field(ge=1)  # calls 未接通 before a phone callback ends unanswered
    reopen_limit: int = Field(ge=0)  # 不满意 sends the ticket back this many times; then a supervisor decides
    comment_window_hours: int = Field(ge=1)  # how long after the button the next text is taken as the comment


class SameCitizen(Frozen):
    same_type: bool = False


class SimilarText(Frozen):
    same_outlet: bool = True
    same_type: bool = True
    min_similarity: float = Field(gt=0, le=1)


class DuplicateRules(Frozen):
    """When a new complaint is the same matter as an open ticket (operator configuration)."""

    source: Literal["operator"]
    article: ArticleNumber
    quote: Text
    articles: tuple[ArticleNumber, ...]
    note: Text | None = None
    window_days: int = Field(ge=1)
    same_citizen: SameCitizen
    similar_text: SimilarText


class BurstRules(Frozen):
    """When an outlet's or a complaint type's week stands out from its previous weeks (operator configuration)."""

    source: Literal["operator"]
    article: ArticleNumber
    quote: Text
    note: Text | None = None
    subjects: tuple[Literal["outlet", "complaint_type"], ...] = Field(min_length=1)
    baseline_weeks: int = Field(ge=2)
    factor: float = Field(gt=0)
    min_spread: float = Field(gt=0)
    min_count: int = Field(ge=1)


class Validity(Frozen):
    """The Measures' own period of validity (Art. 56)."""

    article: ArticleNumber
    quote: Text
    in_force_from: date
    valid_until: date | None
    note: Text | None = None

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (self.valid_until is None or day <= self.valid_until)


class Rules(Frozen):
    validity: Validity
    thresholds: tuple[ThresholdRule, ...] = Field(min_length=1)
    grades: Grades
    score_weights: ScoreWeights
    suspensions: tuple[Suspension, ...]
    deadlines: Deadlines
    ticket_due: TicketDue
    satisfaction: SatisfactionRules
    duplicates: DuplicateRules
    bursts: BurstRules

    @model_validator(mode="after")
    def _unique_ids(self) -> Rules:
        ids = [t.id for t in self.thresholds]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"threshold ids must be unique: {', '.join(duplicates)}")
        return self

    def threshold(self, rule_id: str) -> ThresholdRule:
        for rule in self.thresholds:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no threshold rule {rule_id!r}")


# --------------------------------------------------------------------------- channels.yml


class Channel(Frozen):
    code: Slug
    name: Text
    # regulation: listed in Art. 50; product: a channel of this product the Measures do not name.
    source: Literal["regulation", "product"]
    article: ArticleNumber | None = None
    counted_as: Slug | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _regulation_needs_article(self) -> Channel:
        if self.source == "regulation" and self.article is None:
            raise ValueError("a channel with source 'regulation' must cite its article")
        if self.source == "product" and self.article is not None:
            raise ValueError("a product channel is not in the Measures; give no article")
        return self


class Channels(Frozen):
    channels: tuple[Channel, ...] = Field(min_length=1)


# --------------------------------------------------------------------------- banks.yml / districts.yml


class Outlet(Frozen):
    bank: Text
    name: Text
    district: Text
    note: Text | None = None

    @property
    def full_name(self) -> str:
        return f"{self.bank}{self.name}"


class Outlets(Frozen):
    source: Literal["operator"]
    items: tuple[Outlet, ...] = Field(min_length=1)


class Bank(Frozen):
    name: Text
    code: Slug
    aliases: tuple[Text, ...] = ()
    service_phone: OperatorValue | None = None
    outlets: Outlets

    @model_validator(mode="before")
    @classmethod
    def _outlets_know_their_bank(cls, data: object) -> object:
        # Outlets are listed under their bank in YAML; the model records the bank on each one
        # so that an outlet can be passed around on its own.
        if isinstance(data, dict) and isinstance(data.get("outlets"), dict):
            items = data["outlets"].get("items")
            if isinstance(items, list):
                data = {
                    **data,
                    "outlets": {
                        **data["outlets"],
                        "items": [
                            {**item, "bank": data.get("name")} if isinstance(item, dict) and "bank" not in item else item
                            for item in items
                        ],
                    },
                }
        return data

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def outlet(self, name: str) -> Outlet | None:
        for outlet in self.outlets.items:
            if outlet.name == name:
                return outlet
        return None


class Banks(Frozen):
    source: Literal["operator"]
    note: Text | None = None
    banks: tuple[Bank, ...] = Field(min_length=1)


class District(Frozen):
    name: Text
    code: Slug
    aliases: tuple[Text, ...] = ()
    note: Text | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Districts(Frozen):
    districts: tuple[District, ...] = Field(min_length=1)


# --------------------------------------------------------------------------- inspections.yml


class InspectionStaff(Frozen):
    """Art. 26: an inspection is carried out by two or more staff together."""

    article: ArticleNumber
    quote: Text
    min_staff: int = Field(ge=1)


class InspectionItem(Frozen):
    """One checklist item of an on-site inspection, resting on one service rule of Chapter II."""

    code: Slug
    article: ArticleNumber
    label: Text


class Inspections(Frozen):
    """What a district agency's on-site inspection (Art. 29) records."""

    staff: InspectionStaff
    items: tuple[InspectionItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> Inspections:
        codes = [i.code for i in self.items]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"inspection item codes must be unique: {', '.join(duplicates)}")
        return self


# --------------------------------------------------------------------------- operator.yml


class OperatorSetting(Frozen):
    label: Text
    value: str | int
    unit: Text | None = None
    note: Text | None = None

    @property
    def text(self) -> str:
        return f"{self.value}{self.unit or ''}"


class Referral(Frozen):
    topic: Text
    keywords: tuple[Text, ...] = ()
    contact: Text


class OperatorConfig(Frozen):
    source: Literal["operator"]
    disclaimer: Text
    settings: dict[Slug, OperatorSetting]
    referrals: tuple[Referral, ...] = ()

    @model_validator(mode="after")
    def _required_settings(self) -> OperatorConfig:
        # A one-time notice must state a service phone (Art. 19).
        if "service_phone" not in self.settings:
            raise ValueError("settings must define service_phone")
        return self

    def value(self, key: str) -> str | int:
        return self.settings[key].value

    @property
    def service_phone(self) -> str:
        return str(self.settings["service_phone"].value)


# --------------------------------------------------------------------------- vocabulary.yml


class Term(Frozen):
    word: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^\S+$")]
    tag: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")] = "n"


Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^\S+$")]


class Vocabulary(Frozen):
    terms: tuple[Term, ...] = Field(min_length=1)
    # Misspelt form → the word meant; the tokenizer corrects them before anything reads the message.
    misspellings: dict[Word, Word] = Field(default_factory=dict)


# --------------------------------------------------------------------------- the message catalogue


def _broken_templates(texts: dict[str, str]) -> list[str]:
    from string import Template

    return [key for key, text in texts.items() if not Template(text).is_valid()]


class Messages(Frozen):
    """One file of the message catalogue (replies.yml, errors.yml): sentences by key, as string.Template texts."""

    messages: dict[Slug, Text] = Field(min_length=1)

    @field_validator("messages")
    @classmethod
    def _templates_parse(cls, value: dict[str, str]) -> dict[str, str]:
        broken = _broken_templates(value)
        if broken:
            raise ValueError(f"invalid ${{placeholder}} syntax in: {', '.join(broken)}")
        return value


class Button(Frozen):
    title: Text
    payload: Text


class Response(Frozen):
    """One response of the dialogue: its text (${placeholders}) and the buttons offered with it."""

    text: Text
    buttons: tuple[Button, ...] = ()

    @field_validator("text")
    @classmethod
    def _template_parses(cls, value: str) -> str:
        if _broken_templates({"text": value}):
            raise ValueError("invalid ${placeholder} syntax")
        if re.search(r"[{}]", re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", "", value)):
            raise ValueError("a brace outside ${placeholder} would be read as a slot by the dialogue")
        return value


class Responses(Frozen):
    responses: dict[Annotated[str, StringConstraints(pattern=r"^utter_[a-z0-9_]+$")], Response] = Field(min_length=1)


WordList = Annotated[tuple[Text, ...], Field(min_length=1)]


class SlotWords(Frozen):
    slot: Slug
    words: WordList


class LimitWords(Frozen):
    limit: Slug
    words: WordList


class Words(Frozen):
    """The words that decide what a short reply means (words.yml): one list per decision."""

    affirm: WordList
    deny: WordList
    sure: WordList
    cancel: WordList
    correction: WordList
    negation: WordList
    corrected_slot: tuple[SlotWords, ...] = Field(min_length=1)
    new_value: WordList
    unknown: WordList
    question: WordList
    ticket: WordList
    time_limit: tuple[LimitWords, ...] = Field(min_length=1)


# --------------------------------------------------------------------------- assessment.yml
# How ledger facts and the system's own measures enter the annual assessment (Art. 39–42); the
# file's comments explain each key. Scored by bot/reports/assessment.py.

AssessmentPoints = Annotated[float, Field(ge=0)]


class LedgerPoints(Frozen):
    item: Slug = "complaint_handling"
    per_found_true_complaint: AssessmentPoints | None = None
    per_missed_ticket: AssessmentPoints | None = None
    per_same_type_month: AssessmentPoints | None = None
    per_volume_month: AssessmentPoints | None = None
    per_forced_selling_case: AssessmentPoints | None = None

    @property
    def configured(self) -> bool:
        return any(value is not None for key, value in self if key.startswith("per_"))


class SeriousOverdue(Frozen):
    min_missed_tickets: Annotated[int, Field(ge=1)] | None = None
    min_days_overdue: Annotated[int, Field(ge=1)] | None = None


# What the system itself measures for an Art. 40 item (bot/reports/computed.py computes each).
Measure = Literal["tickets_on_time", "satisfaction", "praise_share", "inspection_compliance",
                  "self_inspection_punctuality"]
MEASURES: tuple[str, ...] = Measure.__args__  # type: ignore[attr-defined]


class MeasureWeight(Frozen):
    measure: Measure
    weight: Annotated[float, Field(gt=0)]


class AssessmentConfig(Frozen):
    source: Literal["operator"]
    confirmed: bool = False
    note: str | None = None
    ledger_points: LedgerPoints = LedgerPoints()
    serious_overdue: SeriousOverdue = SeriousOverdue()
    # Art. 40 item code → the measures that score it and their weights within the item.
    computed: dict[Slug, Annotated[tuple[MeasureWeight, ...], Field(min_length=1)]] = Field(default_factory=dict)

    @field_validator("computed")
    @classmethod
    def _each_measure_once(cls, computed: dict[str, tuple[MeasureWeight, ...]]) -> dict[str, tuple[MeasureWeight, ...]]:
        for item, weights in computed.items():
            names = [w.measure for w in weights]
            if len(names) != len(set(names)):
                raise ValueError(f"{item}: a measure is listed twice")
        return computed

