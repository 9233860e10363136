from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, default_root, load_knowledge

KNOWLEDGE_DIR = default_root()


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE_DIR)


class KnowledgeCopy:
    """A private copy of the knowledge folder that a test may break."""

    def __init__(self, root: Path):
        self.root = root

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        # Fail loudly if the data changed and the edit no longer applies; otherwise a test
        # could pass while breaking nothing.
        text = self.text(name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        (self.root / name).write_text(text.replace(old, new), encoding="utf-8")

    def remove_block(self, name: str, key: str) -> None:
        """Remove a top-level YAML key and its indented block."""
        text = self.text(name)
        pattern = re.compile(rf"^{re.escape(key)}:\n(?:(?:[ #].*)?\n)*", re.MULTILINE)
        new, count = pattern.subn("", text)
        assert count == 1, f"top-level key {key!r} not found once in {name}"
        (self.root / name).write_text(new, encoding="utf-8")

    def line_of(self, name: str, needle: str) -> int:
        for number, line in enumerate(self.text(name).splitlines(), start=1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {name}")


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> KnowledgeCopy:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, root)
    return KnowledgeCopy(root)
