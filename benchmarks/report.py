"""BENCHMARKS.md: one marked section per benchmark, each replaced by its own run."""

from __future__ import annotations

from pathlib import Path


def update_benchmarks_file(path: Path, section: str, body: str) -> None:
    """Replace one marked section of `path`, leaving the others as they are."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    block = f"{start}\n{body}{end}\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def databases_line(*, sqlite_version: str, postgres_version: str | None, postgres_skipped: str | None) -> str:
    """Which databases a back-office benchmark ran on, for its section's header."""
    line = f"SQLite {sqlite_version} (temporary file, WAL)"
    if postgres_version:
        return line + f"; PostgreSQL {postgres_version} on 127.0.0.1 (private schema, dropped afterwards)"
    return line + f"; PostgreSQL: {postgres_skipped or 'not asked for (--no-postgres)'}"
