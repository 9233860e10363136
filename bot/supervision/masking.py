"""What supervisors see of a citizen (Art. 9, 51): free text through `bot.privacy.mask`, contact
fields masked whatever their shape — a supervisor judges the bank's handling, not the caller."""

from __future__ import annotations

import functools

from bot.privacy import MASK_CHAR, mask

KEEP_PHONE_DIGITS = 4


@functools.lru_cache(maxsize=8192)
def mask_free_text(text: str) -> str:
    """ID, phone and card numbers in a free text masked (the same text is masked once per process)."""
    return mask(text)


def mask_phone(phone: str | None) -> str | None:
    """A contact phone as 139****5678; a value the detector does not recognise as a number keeps
    only its last four digits, since the field holds a phone whatever was typed into it."""
    if not phone:
        return None
    masked = mask(phone)
    if masked != phone:
        return masked
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    hide = set(digits[:-KEEP_PHONE_DIGITS]) if len(digits) > KEEP_PHONE_DIGITS else set(digits)
    return "".join(MASK_CHAR if i in hide else ch for i, ch in enumerate(phone))


def mask_name(name: str | None) -> str | None:
    """A contact name with only its first character shown (王先生 → 王**)."""
    if not name:
        return None
    name = name.strip()
    return name[:1] + MASK_CHAR * max(1, len(name) - 1)
