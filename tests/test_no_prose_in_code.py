"""No sentence for people is written in Python: it lives in the message catalogue (knowledge/).

Every string constant with Chinese characters in bot/ and actions/ fails this test unless it is
what the code reads rather than what it says (a date parser's patterns, the regulation's
numbering: the modules below, each with its reason) or documentation of the bank API's contract
(summaries, descriptions and tags of its OpenAPI document, which banks read at /openapi.json).
Docstrings are documentation and are not looked at.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
# Modules whose Chinese is input they read or match, not text they show; why, for each.
READERS = {
    "actions/dates.py": "reads dates as citizens write them (11月20日上午, 上周三)",
    "bot/knowledge/models.py": "reads the regulation's numbering (第…条, （一）) and writes Chinese numerals",
    "bot/knowledge/regulation.py": "parses the text of the Measures into chapters and articles",
    "bot/knowledge/loader.py": "finds the articles a catalogue sentence cites (第…条) to check they exist",
    "bot/nlu/interpret.py": "the words that end an outlet's name in a message (支行, 营业部 …)",
    "bot/nlu/training_data.py": "the same outlet endings, as a pattern for the entity examples",
    "bot/cli/chat.py": "the terminal chat's answers that give a message up (否, 不) and the text it sends for /cancel",
    "bot/settings.py": "the text the Telegram bot sends the assistant for /cancel",
    "bot/reports/xlsx.py": "a probe string to test whether a font has Chinese glyphs",
    "bot/workdays/config.py": "an English configuration error that names the Chinese term 调休上班",
}
# Documentation an interface carries: the bank API's OpenAPI document (summaries, descriptions,
# tags) and the command line's help, as keyword arguments or dictionary keys.
CONTRACT_KEYWORDS = {"summary", "description", "title", "tags", "help"}
CONTRACT_MODULE = "bot/web/api/contract.py"


def _skipped(tree: ast.AST) -> set[int]:
    """Docstrings and the bank API's contract documentation."""
    skip: set[int] = set()

    def constants(node: ast.AST) -> set[int]:
        return {id(n) for n in ast.walk(node) if isinstance(n, ast.Constant)}

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.keyword) and node.arg in CONTRACT_KEYWORDS:
            skip |= constants(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in CONTRACT_KEYWORDS:
                    skip |= constants(value)
    return skip


def prose_in(path: Path) -> list[str]:
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _skipped(tree)
    if where == CONTRACT_MODULE:  # the OpenAPI document's title and description
        skip |= {id(n) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    return [f"{where}:{node.lineno}: {node.value[:40]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and CJK.search(node.value)]


def sources() -> list[Path]:
    return sorted(p for p in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
                  if p.relative_to(ROOT).as_posix() not in READERS)


def test_no_chinese_sentence_is_written_in_python():
    found = [line for path in sources() for line in prose_in(path)]
    assert found == [], "move these into the message catalogue (knowledge/*.yml):\n" + "\n".join(found)


def test_the_readers_listed_still_read_chinese():
    """An entry left behind after its Chinese moved out would excuse the next sentence written there."""
    for where in READERS:
        tree = ast.parse((ROOT / where).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
                   for n in ast.walk(tree)), where


def test_a_sentence_in_code_is_found_and_documentation_is_not(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('"""模块说明。"""\n'
                      'def f():\n    """函数说明。"""\n    return "您的工单已受理"\n'
                      'router.get("/x", summary="查看工单", responses={404: {"description": "没有找到"}})\n',
                      encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in prose_in(module)] == ["'您的工单已受理'"]
