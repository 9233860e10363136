"""Cleaning of raw citizen text before it reaches the model."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")


def decode_line(raw: bytes) -> str:
    """Decode one input line as UTF-8, replacing invalid bytes instead of failing."""
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def clean_text(text: str) -> str:
    """Remove control and zero-width characters and collapse whitespace.

    Control characters carry no meaning for the classifier and some of them (NUL, bidi
    overrides) break downstream tools or hide text from operators.
    """
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def has_content(text: str) -> bool:
    """Whether the text contains anything a person could have meant: letters, digits or symbols."""
    # U+FFFD stands for bytes that were not text at all, so it does not count.
    return any(unicodedata.category(ch)[0] in "LNS" and ch != "\ufffd" for ch in text)
