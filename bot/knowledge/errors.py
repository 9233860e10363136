"""The single exception type of the knowledge base.

Knowledge files are edited by people who are not necessarily programmers, so every problem
names the file, the place inside it (a YAML path such as ``guides.yml: inquiry/apply.time_limit``)
and, where known, the line, instead of surfacing a pydantic or PyYAML traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one knowledge file."""

    file: str
    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.path:
            where += f": {self.path}"
        if self.line is not None:
            where += f" (line {self.line}" + (f", column {self.column}" if self.column else "") + ")"
        return f"{where}: {self.message}"


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed or inconsistent with the others.

    Several problems may be reported at once (fixing one at a time is tedious); ``file``,
    ``path`` and ``line`` describe the first of them.
    """

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("KnowledgeError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.file = first.file
        self.path = first.path
        self.line = first.line
        if len(self.problems) == 1:
            text = str(first)
        else:
            text = f"{len(self.problems)} problems in the knowledge base:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)
