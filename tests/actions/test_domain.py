"""The actions and the domain agree; nothing the assistant says is written in Python."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import yaml
from rasa_sdk import Action

import actions

ROOT = Path(__file__).resolve().parents[2]
# The dialogue reads the domain folder as one domain: its files merged.
DOMAIN = {key: value for path in sorted((ROOT / "domain").glob("*.yml"))
          for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items()}
SOURCES = sorted((ROOT / "actions").glob("*.py"))


def action_modules():
    """Every module of the action server's package, as `python -m rasa_sdk --actions actions` loads them."""
    return [importlib.import_module(f"actions.{info.name}") for info in pkgutil.iter_modules(actions.__path__)]


def action_classes():
    for module in action_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                yield cls


def test_every_domain_action_is_served_and_every_served_action_is_in_the_domain():
    served = {cls().name() for cls in action_classes()}
    assert served == set(DOMAIN["actions"])


def test_every_response_the_actions_send_is_in_the_domain():
    used = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "response":
                if isinstance(node.value, ast.Constant):
                    used.add(node.value.value)
                elif isinstance(node.value, ast.IfExp):
                    used |= {node.value.body.value, node.value.orelse.value}
    assert used and used <= set(DOMAIN["responses"])


def test_no_sentence_is_written_in_python():
    """utter_message(text=...) only passes on text composed elsewhere (knowledge/, the ledger)."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message":
                for keyword in node.keywords:
                    if keyword.arg == "text":
                        assert not isinstance(keyword.value, (ast.Constant, ast.JoinedStr, ast.BinOp)), (
                            f"{path.name}:{node.lineno} writes a sentence in Python")


def test_forms_ask_for_every_slot():
    names = set(DOMAIN["responses"]) | set(DOMAIN["actions"])
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            assert {f"utter_ask_{slot}", f"action_ask_{slot}"} & names, (form, slot)


def test_the_package_documents_its_modules():
    for module in action_modules():
        assert f"``{module.__name__.removeprefix('actions.')}``" in actions.__doc__, module.__name__
