"""YAML reading that remembers where every value came from.

PyYAML's ``safe_load`` loses line numbers and silently keeps the last of two duplicate keys
(a second ``inquiry/apply:`` would quietly replace the first guide), so files are composed
into nodes first: that yields a line for each YAML path and catches duplicate keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError, Problem

PathParts = tuple[str | int, ...]


def format_path(parts: PathParts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class YamlDocument:
    """A parsed knowledge file plus the line of each YAML path in it."""

    file: str
    data: Any
    lines: dict[PathParts, int] = field(default_factory=dict)

    def line_of(self, parts: PathParts) -> int | None:
        # A path into an injected or missing value has no line of its own; its parent's is
        # the most useful thing to show.
        parts = tuple(parts)
        while True:
            if parts in self.lines:
                return self.lines[parts]
            if not parts:
                return None
            parts = parts[:-1]

    def problem(self, parts: PathParts, message: str) -> Problem:
        return Problem(self.file, message, format_path(parts), self.line_of(parts))


def read_yaml(path: Path, *, name: str | None = None,
              loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> YamlDocument:
    """Parse `path` with `loader` (a SafeLoader or subclass); problems are reported under `name`."""
    name = name or path.name
    if not path.is_file():
        raise KnowledgeError(Problem(name, f"file not found (looked in {path.parent})"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(Problem(name, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")) from exc
    except OSError as exc:
        raise KnowledgeError(Problem(name, f"cannot be read ({exc.strerror})")) from exc
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader or subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise KnowledgeError(
            Problem(
                name,
                f"YAML syntax error: {problem}",
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(Problem(name, f"YAML syntax error: {exc}")) from exc

    doc = YamlDocument(name, data)
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), doc, problems)
    if problems:
        raise KnowledgeError(problems)
    return doc


def _walk(node: yaml.Node, parts: PathParts, doc: YamlDocument, problems: list[Problem]) -> None:
    doc.lines.setdefault(parts, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        doc.file,
                        f"duplicate key {key!r} (first defined on line {seen[key]})",
                        format_path(parts),
                        line,
                    )
                )
                continue
            seen[key] = line
            child = parts + (key,)
            doc.lines[child] = line
            _walk(value_node, child, doc, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, parts + (index,), doc, problems)
