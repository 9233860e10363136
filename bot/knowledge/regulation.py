"""Parsing the verbatim text of the Measures into chapters and articles.

``knowledge/regulation.txt`` is kept exactly as published, including the page-break artefacts
of the source document: a sentence cut at the end of a page continues after a blank line
("…社会保险经办机构或合\\n\\n作银行分（总）行…"). The parser rejoins such lines so that quotes
and searches see the article as written, while keeping list items and real paragraphs apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import KnowledgeError, Problem
from .models import Article, Chapter

FILE = "regulation.txt"

# The Measures have 56 articles in 5 chapters; anything else means the file was damaged.
EXPECTED_ARTICLES = 56
EXPECTED_CHAPTERS = 5

_NUMERAL = "零〇一二三四五六七八九十百"
_CHAPTER_RE = re.compile(rf"^第([{_NUMERAL}]+)章\s*(.*)$")
_ARTICLE_RE = re.compile(rf"^第([{_NUMERAL}]+)条\s*(.*)$")
_ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
# A physical line ending in one of these closes a paragraph; any other ending means the
# sentence was cut by a page break. "；" is deliberately absent: in Art. 24 an item ending in
# "；" continues on the next line, and genuine items are caught by _ITEM_RE instead.
_PARAGRAPH_END = ("。", "：", "！", "？", ":")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral as used for article numbers (一 … 九十九, 一百零一 …)."""
    if not text:
        raise ValueError("empty numeral")
    total = 0
    current = 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


def join_lines(lines: list[str]) -> str:
    """Rejoin page-broken lines; keep paragraphs and list items on their own lines."""
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith(_PARAGRAPH_END) and not _ITEM_RE.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def parse_regulation(path: Path) -> tuple[str, dict[int, Chapter], dict[int, Article]]:
    """Return (title, chapters, articles) of the Measures, validated for completeness."""
    if not path.is_file():
        raise KnowledgeError(Problem(FILE, f"file not found (looked in {path.parent})"))
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise KnowledgeError(Problem(FILE, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")) from exc

    problems: list[Problem] = []
    title = ""
    previous_nonblank = ""
    chapters: list[dict] = []
    articles: list[dict] = []

    for lineno, raw in enumerate(raw_lines, start=1):
        line = raw.strip()
        if not line:
            continue
        chapter_match = _CHAPTER_RE.match(line)
        article_match = _ARTICLE_RE.match(line)
        if chapter_match:
            if not chapters:
                # The document title is the line right above the first chapter heading.
                title = previous_nonblank
            chapters.append(
                {
                    "number": chinese_numeral(chapter_match.group(1)),
                    "title": re.sub(r"\s+", "", chapter_match.group(2)),
                    "line": lineno,
                }
            )
        elif article_match:
            if not chapters:
                problems.append(Problem(FILE, f"article {line[:8]!r} appears before the first chapter", line=lineno))
                continue
            articles.append(
                {
                    "number": chinese_numeral(article_match.group(1)),
                    "chapter": chapters[-1],
                    "lines": [article_match.group(2)] if article_match.group(2) else [],
                    "line": lineno,
                }
            )
        elif articles:
            articles[-1]["lines"].append(line)
        previous_nonblank = line

    for expected, chapter in enumerate(chapters, start=1):
        if chapter["number"] != expected:
            problems.append(
                Problem(FILE, f"chapter {chapter['number']} found where chapter {expected} was expected", line=chapter["line"])
            )
            break
    if len(chapters) != EXPECTED_CHAPTERS:
        problems.append(Problem(FILE, f"expected {EXPECTED_CHAPTERS} chapters, found {len(chapters)}"))
    for expected, article in enumerate(articles, start=1):
        if article["number"] != expected:
            problems.append(
                Problem(FILE, f"article {article['number']} found where article {expected} was expected", line=article["line"])
            )
            break
    if len(articles) != EXPECTED_ARTICLES:
        problems.append(Problem(FILE, f"expected {EXPECTED_ARTICLES} articles, found {len(articles)}"))
    for article in articles:
        if not article["lines"]:
            problems.append(Problem(FILE, f"article {article['number']} has no text", line=article["line"]))
    if not title:
        problems.append(Problem(FILE, "no document title above the first chapter heading"))
    if problems:
        raise KnowledgeError(problems)

    article_models = {
        a["number"]: Article(
            number=a["number"],
            chapter=a["chapter"]["number"],
            chapter_title=a["chapter"]["title"],
            text=join_lines(a["lines"]),
        )
        for a in articles
    }
    chapter_models = {
        c["number"]: Chapter(
            number=c["number"],
            title=c["title"],
            articles=tuple(a["number"] for a in articles if a["chapter"] is c),
        )
        for c in chapters
    }
    return title, chapter_models, article_models
