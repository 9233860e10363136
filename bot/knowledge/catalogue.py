"""The message catalogue: every sentence the product says to a citizen, an operator or a bank.

Sentences live in knowledge/ (``replies.yml`` for the conversation and the channels,
``errors.yml`` for refusals, ``responses.yml`` for the dialogue's responses), keyed by a slug,
with one placeholder syntax: ``${name}`` (``string.Template``). Code names a sentence by its key
and passes the values; it never writes the sentence.

A refusal (`Refusal`) carries a code and parameters instead of text: the ledger, the supervision
views and the handoff queue say *what* was refused, and the edge that shows it (the assistant's
actions, the console, the bank API, the command line) renders it with `Catalogue.explain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Template
from types import MappingProxyType
from typing import Any


class Term(str):
    """A parameter that is itself a catalogue key: rendered as that key's sentence (a state's name, say)."""


class Refusal(Exception):
    """A request refused for a reason a person is told.

    `code` keys the sentence in the catalogue (knowledge/errors.yml), `params` fill its
    placeholders and `field` names the input at fault, if any. ``str()`` gives the code and the
    parameters' names only, so a log line never carries the values (a phone number, say).
    """

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params: Mapping[str, object] = MappingProxyType(dict(params))

    def __str__(self) -> str:
        names = ", ".join(sorted(self.params))
        return f"{self.code}({names})" if names else self.code


class FieldRefusals(Refusal):
    """A form refused as a whole, with every field at fault at once: `problems` holds each field's
    refusal, so the form can show each message beside its field and keep what was typed. As a single
    refusal it reads as the first problem."""

    def __init__(self, problems: Mapping[str, Refusal]) -> None:
        first_field, first = next(iter(problems.items()))
        super().__init__(first.code, field=first_field, **first.params)
        self.problems: Mapping[str, Refusal] = MappingProxyType(dict(problems))

    def explain_each(self, messages: Catalogue) -> dict[str, str]:
        """Each refused field and what the person is told about it."""
        return {name: messages.explain(problem) for name, problem in self.problems.items()}


class Catalogue:
    """The sentences of all catalogue files, by key; keys are unique across the files."""

    def __init__(self, messages: Mapping[str, str], responses: Mapping[str, Any] | None = None) -> None:
        self._messages = dict(messages)
        self._responses = dict(responses or {})

    def __contains__(self, key: object) -> bool:
        return key in self._messages

    def keys(self) -> list[str]:
        return sorted(self._messages)

    def text(self, key: str) -> str:
        """The sentence `key` as written, placeholders unfilled."""
        return self._messages[key]

    def placeholders(self, key: str) -> set[str]:
        return set(Template(self._messages[key]).get_identifiers())

    def render(self, key: str, **values: object) -> str:
        """The sentence `key` with its placeholders filled; a missing value is a programming error."""
        return Template(self._messages[key]).substitute(values)

    def explain(self, refusal: Refusal) -> str:
        """What a person is told about `refusal`; `Term` parameters are rendered as their own sentences."""
        params = {name: self.text(value) if isinstance(value, Term) else value
                  for name, value in refusal.params.items()}
        return self.render(refusal.code, **params)

    @property
    def responses(self) -> Mapping[str, Any]:
        """The dialogue's responses (``utter_*``): their text with ${placeholders}, and buttons."""
        return MappingProxyType(self._responses)

    def rasa_responses(self) -> dict[str, list[dict[str, Any]]]:
        """The responses as a Rasa domain writes them: one variation each, with {slot} placeholders."""
        return {name: [_for_rasa(response)] for name, response in sorted(self._responses.items())}


def _for_rasa(response: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": to_rasa_template(response.text)}
    if response.buttons:
        out["buttons"] = [{"title": b.title, "payload": b.payload} for b in response.buttons]
    return out


def to_rasa_template(text: str) -> str:
    """``${name}`` → ``{name}``, the form Rasa fills from the action's values and the slots."""
    def replace(match: Any) -> str:
        name = match.group("named") or match.group("braced")
        if name is not None:
            return "{" + name + "}"
        if match.group("escaped") is not None:
            return "$"
        raise ValueError(f"invalid placeholder in {text!r}")

    return Template.pattern.sub(replace, text)
