"""``find`` and ``mask``: personal data in a text, through the spaCy pipeline."""

from __future__ import annotations

import threading

from .rules import Finding, _is_digit, apply_masks, scan

_local = threading.local()


def find(text: str) -> list[Finding]:
    """Personal data in ``text`` (kind, start, end, text), in order, non-overlapping.

    Runs the shared spaCy pipeline (built on the first call). A text without any digit cannot hold
    a finding and skips the pipeline. A call made while the pipeline is being built or run in the
    same thread (jieba logs while it loads, and a masking log filter sees that record) uses the
    same rules without spaCy instead of recursing.
    """
    if not any(_is_digit(ch) for ch in text):
        return []
    if getattr(_local, "busy", False):
        return scan(text)
    _local.busy = True
    try:
        from .pipeline import findings_of, get_nlp

        nlp = get_nlp()
        if len(text) > nlp.max_length:
            return scan(text)
        return findings_of(nlp(text))
    finally:
        _local.busy = False


def mask(text: str) -> str:
    """``text`` with personal data masked; same length, only masked digits become ``*``.

    ID number 370202199001011234 → 370202********1234 (15-digit: 370202******123), mobile
    13812345678 → 138****5678 (+86 138 1234 5678 → +86 138 **** 5678), landline
    0532-82345678 → 0532-****5678, bank card 6222021234567890128 → ***************0128.
    """
    # A number that overlapped a longer one shows up once the longer one is masked (a card's last
    # four digits that are also a landline's area code): mask again until nothing is left to find,
    # so that masking twice changes nothing. Every pass masks at least one more digit.
    while findings := find(text):
        masked = apply_masks(text, findings)
        if masked == text:
            return text
        text = masked
    return text
