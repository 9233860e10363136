"""The loaded knowledge base: one immutable object with lookups."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pydantic import ConfigDict, PrivateAttr

from .catalogue import Catalogue
from .models import (
    Article,
    Bank,
    Category,
    Channel,
    Chapter,
    District,
    Frozen,
    Guide,
    Inspections,
    Intent,
    NoticeCase,
    OperatorConfig,
    Outlet,
    Rules,
    TimeLimit,
    Vocabulary,
    Words,
)


def normalize_name(text: str) -> str:
    """Key under which names and aliases are compared.

    NFKC folds full-width Latin (ＣＣＢ) to ASCII, casefold makes Latin aliases case-insensitive,
    and whitespace is dropped because citizens type "建 行" or " 建行 " as readily as "建行".
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).casefold()


class Knowledge(Frozen):
    model_config = ConfigDict(**Frozen.model_config, arbitrary_types_allowed=True)

    root: Path
    regulation_title: str
    articles: dict[int, Article]
    chapters: dict[int, Chapter]
    categories: tuple[Category, ...]
    intents: tuple[Intent, ...]
    guides: dict[str, Guide]
    time_limits: dict[str, TimeLimit]
    notices: dict[str, NoticeCase]
    rules: Rules
    channels: tuple[Channel, ...]
    banks: tuple[Bank, ...]
    districts: tuple[District, ...]
    inspections: Inspections
    operator: OperatorConfig
    vocabulary: Vocabulary
    messages: Catalogue
    words: Words

    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _intents: dict[str, Intent] = PrivateAttr(default_factory=dict)
    _intents_rasa: dict[str, Intent] = PrivateAttr(default_factory=dict)
    _channels: dict[str, Channel] = PrivateAttr(default_factory=dict)
    _banks: dict[str, Bank] = PrivateAttr(default_factory=dict)
    _banks_by_code: dict[str, Bank] = PrivateAttr(default_factory=dict)
    _bank_names: dict[str, str] = PrivateAttr(default_factory=dict)
    _districts: dict[str, District] = PrivateAttr(default_factory=dict)
    _district_names: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object) -> None:
        self._categories = {c.name: c for c in self.categories}
        self._intents = {i.name: i for i in self.intents}
        self._intents_rasa = {i.rasa_name: i for i in self.intents}
        self._channels = {c.code: c for c in self.channels}
        self._banks = {b.name: b for b in self.banks}
        self._banks_by_code = {b.code: b for b in self.banks}
        for bank in self.banks:
            for name in (*bank.names, bank.code):
                self._bank_names.setdefault(normalize_name(name), bank.name)
        self._districts = {d.name: d for d in self.districts}
        for district in self.districts:
            for name in (*district.names, district.code):
                self._district_names.setdefault(normalize_name(name), district.name)

    # -- regulation

    def article(self, number: int) -> Article:
        try:
            return self.articles[number]
        except KeyError:
            raise KeyError(f"the Measures have no article {number}") from None

    # -- taxonomy

    def category(self, name: str) -> Category:
        try:
            return self._categories[name]
        except KeyError:
            raise KeyError(f"unknown category {name!r}") from None

    def intent(self, name: str) -> Intent:
        """Intent by contract name, e.g. ``inquiry/apply``."""
        try:
            return self._intents[name]
        except KeyError:
            raise KeyError(f"unknown intent {name!r}") from None

    def intent_by_rasa_name(self, name: str) -> Intent:
        """Intent by Rasa name, e.g. ``inquiry_apply``."""
        try:
            return self._intents_rasa[name]
        except KeyError:
            raise KeyError(f"unknown Rasa intent {name!r}") from None

    def intents_in(self, category: str) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if i.category == category)

    def specific_intents_in(self, category: str) -> tuple[Intent, ...]:
        """The intents of `category` a citizen can be asked to choose from."""
        return tuple(i for i in self.intents_in(category) if i.specific)

    def guide(self, intent: str) -> Guide:
        try:
            return self.guides[intent]
        except KeyError:
            raise KeyError(f"no guide for intent {intent!r}") from None

    # -- channels

    def channel(self, code: str) -> Channel:
        try:
            return self._channels[code]
        except KeyError:
            raise KeyError(f"unknown channel {code!r}") from None

    # -- banks and districts

    def canonical_bank(self, text: str) -> str | None:
        """Canonical bank name for a name, alias or code (建行, CCB, ccb → 中国建设银行), else None."""
        return self._bank_names.get(normalize_name(text)) if text else None

    def canonical_district(self, text: str) -> str | None:
        """Canonical district name for a name or alias (西海岸 → 黄岛区), else None."""
        return self._district_names.get(normalize_name(text)) if text else None

    def bank(self, name: str) -> Bank:
        """Bank by canonical name, alias or code."""
        canonical = self.canonical_bank(name)
        if canonical is None:
            raise KeyError(f"unknown bank {name!r}")
        return self._banks[canonical]

    def bank_by_code(self, code: str) -> Bank:
        try:
            return self._banks_by_code[code.strip().lower()]
        except KeyError:
            raise KeyError(f"unknown bank code {code!r}") from None

    def district(self, name: str) -> District:
        """District by canonical name or alias."""
        canonical = self.canonical_district(name)
        if canonical is None:
            raise KeyError(f"unknown district {name!r}")
        return self._districts[canonical]

    @property
    def outlets(self) -> tuple[Outlet, ...]:
        return tuple(o for b in self.banks for o in b.outlets.items)

    def outlets_in(self, district: str) -> tuple[Outlet, ...]:
        """Configured outlets in a district (name or alias), all banks."""
        canonical = self.canonical_district(district)
        return tuple(o for o in self.outlets if o.district == canonical)
