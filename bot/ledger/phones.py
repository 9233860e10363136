"""Contact phone numbers as the back office stores them: digits only, one form per number.

A caller's number is looked up later ("the caller's earlier tickets"), so 139 1234 5678,
+86-139-1234-5678 and １３９１２３４５６７８ must all be stored as 13912345678, and a local
Qingdao landline said without its area code (8234 5678) as 053282345678.
"""

from __future__ import annotations

import re
import unicodedata

from bot.ledger.errors import InvalidInput

# Qingdao's area code: callers of the city hotline give local landlines without it.
LOCAL_AREA_CODE = "0532"

_SEPARATORS = re.compile(r"[\s\-‐-―－()（）.·]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}[2-9]\d{6,7}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")


def normalize_phone(text: str, *, field: str = "contact_phone") -> str:
    """The stored form of a phone number, or InvalidInput naming `field`."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+"):
        digits = digits[1:]
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix):]):
            digits = digits[len(prefix):]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    if _LOCAL.fullmatch(digits):
        return LOCAL_AREA_CODE + digits
    raise InvalidInput("invalid_phone", field=field)
