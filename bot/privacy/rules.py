"""Rules for personal data in free text: patterns, validators and the masks (no spaCy here).

Everything works on character offsets of the original text, so detection does not depend on how a
segmenter cut the text (jieba keeps ``ID370202…`` as one token and splits ``138 1234 5678`` in
three). The spaCy component in ``pipeline.py`` runs :func:`scan` on ``doc.text`` and aligns the
tokens to the findings.

Kinds (``Finding.kind``):

``id_number``
    Mainland resident ID number. 18 characters: 17 digits and a check character (0-9 or X) that
    satisfies GB 11643-1999 (ISO 7064 MOD 11-2), with a real birth date (YYYYMMDD at positions
    7-14, not before 1900-01-01 and not in the future). 15 digits (first-generation cards, no check
    character): a real province code and a real birth date 19YYMMDD at positions 7-12.
``maybe_id_number``
    18 characters shaped like an ID number (real province code, real birth date) whose check
    character is wrong and that is not a Luhn-valid bank card number. Masked like an ID number on
    purpose: a caller who mistypes one digit of their ID number (or an operator who mishears it)
    has still disclosed 17 correct characters that identify them, and Art. 9 and 51 ask for
    confidentiality rather than precision. Such a run is never reported as ``id_number``.
``mobile``
    Mainland mobile number ``1[3-9]x xxxx xxxx`` (11 digits), optionally prefixed by +86, 0086 or 86,
    with optional spaces or hyphens after the 3rd and 7th digit.
``landline``
    Area code (010, 02x or a 4-digit 0xxx such as Qingdao's 0532), optionally in brackets, followed by
    a 7- or 8-digit local number that starts with 2-9 (so service numbers like 0532-12333 stay).
``bank_card``
    16 to 19 digits (contiguous or in groups of four) that pass the Luhn check.

Digit runs are taken whole: a candidate must not touch another digit on either side, and must not
be part of a decimal number (``1.38…``, ``…678.00``). So dates (20261127), ticket numbers
(ZB-20261127-0001), amounts and short service numbers (12333, 12345) are never findings, and an
18-digit run with an impossible birth date is not an ID number.

Digits may be ASCII or full-width (Chinese input methods produce ０-９). Masks replace each masked
digit with one ``*`` and keep every other character, so a masked text has the length and layout of
the original, and masking it again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.clock import get_clock, local_day

ID_NUMBER: Final = "id_number"
MAYBE_ID_NUMBER: Final = "maybe_id_number"
MOBILE: Final = "mobile"
LANDLINE: Final = "landline"
BANK_CARD: Final = "bank_card"

#: All kinds, strongest evidence first (the order decides between overlapping candidates of equal
#: length).
KINDS: Final[tuple[str, ...]] = (ID_NUMBER, BANK_CARD, MAYBE_ID_NUMBER, MOBILE, LANDLINE)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

MASK_CHAR: Final = "*"

EARLIEST_BIRTH: Final = date(1900, 1, 1)

#: Province-level codes (first two digits) of GB/T 2260, plus 71 Taiwan, 81 Hong Kong, 82 Macao
#: and 83 (residence permits of Taiwan residents).
PROVINCE_CODES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

_ID_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS: Final = "10X98765432"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: ``text == original[start:end]``."""

    kind: str
    start: int
    end: int
    text: str


# --- characters ---------------------------------------------------------------------------------

_D = "[0-9\uff10-\uff19]"  # ASCII and full-width digits
_X = "[Xx\uff38\uff58]"  # check character X, also full-width
_SEP = "[ \\-\u00a0\u3000\u2010-\u2015\uff0d]"  # space, NBSP, ideographic space, hyphens, dashes
_NOT_AFTER_NUMBER = f"(?<!{_D})(?<!{_D}[.\uff0e])"  # not inside a digit run or after a decimal point
_NOT_BEFORE_NUMBER = f"(?!{_D})(?![.\uff0e]{_D})"


def _digit_value(ch: str) -> int:
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19:
        return code - 0xFF10
    return ord(ch) - 48


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19"


def _is_x(ch: str) -> bool:
    return ch in "Xx\uff38\uff58"


def _significant(text: str) -> str:
    """The digits (as ASCII) and the check character X of a matched text, separators dropped."""
    return "".join(
        str(_digit_value(ch)) if _is_digit(ch) else "X" for ch in text if _is_digit(ch) or _is_x(ch)
    )


# --- validators ---------------------------------------------------------------------------------


def id_check_char(first17: str) -> str:
    """The GB 11643 check character ("0"-"9" or "X") for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("an ID number's body is 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date(year: int, month: int, day: int, today: date | None) -> date | None:
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    if born < EARLIEST_BIRTH or born > (today or local_day(get_clock().now())):
        return None
    return born


def _id_shape_ok(number: str, today: date | None) -> bool:
    """Province code and birth date of an 18-character ID number (the check character aside)."""
    return int(number[:2]) in PROVINCE_CODES and _birth_date(
        int(number[6:10]), int(number[10:12]), int(number[12:14]), today
    ) is not None


def is_valid_id_number(number: str, *, today: date | None = None) -> bool:
    """Whether ``number`` (digits and X only, no separators) is a valid resident ID number.

    18 characters: check character per GB 11643 and a birth date between 1900-01-01 and today.
    15 characters (first generation, all digits): a province code and a birth date 19YYMMDD.
    """
    number = _significant(number) if len(number) in (15, 18) else number
    if len(number) == 18:
        body, check = number[:17], number[17].upper()
        if not body.isdigit() or not (check.isdigit() or check == "X"):
            return False
        if id_check_char(body) != check:
            return False
        return _birth_date(int(body[6:10]), int(body[10:12]), int(body[12:14]), today) is not None
    if len(number) == 15 and number.isdigit():
        return int(number[:2]) in PROVINCE_CODES and _birth_date(
            1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), today
        ) is not None
    return False


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    if not digits or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# --- patterns -----------------------------------------------------------------------------------

# ID numbers: contiguous, or read out in groups 6-8-4 ("370202 19900101 1234"). A final X ends the
# number by itself, so digits right after it do not hide it.
_ID18 = re.compile(
    f"{_NOT_AFTER_NUMBER}{_D}{{6}}{_SEP}?{_D}{{8}}{_SEP}?{_D}{{3}}(?:{_D}{_NOT_BEFORE_NUMBER}|{_X})"
)
_ID15 = re.compile(f"{_NOT_AFTER_NUMBER}{_D}{{15}}{_NOT_BEFORE_NUMBER}")
_CARD = re.compile(
    f"{_NOT_AFTER_NUMBER}(?:{_D}{{16,19}}|{_D}{{4}}(?:{_SEP}{_D}{{4}}){{3}}(?:{_SEP}?{_D}{{1,3}})?)"
    f"{_NOT_BEFORE_NUMBER}"
)
_MOBILE = re.compile(
    f"(?:(?:\\+|\uff0b|00|(?<![0-9A-Za-z\uff10-\uff19]))(?:86|\uff18\uff16){_SEP}?|{_NOT_AFTER_NUMBER})"
    f"(?:1|\uff11)[3-9\uff13-\uff19]{_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{4}}{_NOT_BEFORE_NUMBER}"
)
_AREA = f"(?:0|\uff10)(?:(?:1|\uff11)(?:0|\uff10)|(?:2|\uff12){_D}|[3-9\uff13-\uff19]{_D}{{2}})"
_LANDLINE = re.compile(
    f"{_NOT_AFTER_NUMBER}(?:[(\uff08]{_AREA}[)\uff09]{_SEP}?|{_AREA}{_SEP}?)"
    f"[2-9\uff12-\uff19]{_D}{{2,3}}{_SEP}?{_D}{{4}}{_NOT_BEFORE_NUMBER}"
)


def _classify_id18(digits: str, today: date | None) -> str | None:
    if is_valid_id_number(digits, today=today):
        return ID_NUMBER
    if digits.isdigit() and luhn_valid(digits):
        return BANK_CARD
    if _id_shape_ok(digits, today):
        return MAYBE_ID_NUMBER
    return None


def _candidates(text: str, today: date | None) -> list[Finding]:
    found: list[Finding] = []

    def add(kind: str | None, m: re.Match[str]) -> None:
        if kind is not None:
            found.append(Finding(kind, m.start(), m.end(), m.group()))

    for m in _ID18.finditer(text):
        add(_classify_id18(_significant(m.group()), today), m)
    for m in _ID15.finditer(text):
        add(ID_NUMBER if is_valid_id_number(m.group(), today=today) else None, m)
    for m in _CARD.finditer(text):
        add(BANK_CARD if luhn_valid(_significant(m.group())) else None, m)
    for m in _MOBILE.finditer(text):
        add(MOBILE, m)
    for m in _LANDLINE.finditer(text):
        add(LANDLINE, m)
    return found


def scan(text: str, *, today: date | None = None) -> list[Finding]:
    """All personal data in ``text``, by position, without overlaps.

    Between overlapping candidates the longer one wins, then the stronger kind (see ``KINDS``).
    """
    if not any(_is_digit(ch) for ch in text):
        return []
    chosen: list[Finding] = []
    for cand in sorted(_candidates(text, today), key=lambda f: (f.start - f.end, _RANK[f.kind], f.start)):
        if all(cand.end <= f.start or cand.start >= f.end for f in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda f: f.start)


# --- masks --------------------------------------------------------------------------------------


def _keep(finding: Finding, count: int) -> tuple[int, int]:
    """How many significant characters the mask keeps at the front and at the back."""
    kind = finding.kind
    if kind in (ID_NUMBER, MAYBE_ID_NUMBER):
        # 18: region (6) and sequence + check character (4) stay, the birth date goes.
        # 15: region (6) and sequence (3) stay, the birth date goes.
        return (6, 4) if count == 18 else (6, 3)
    if kind == MOBILE:
        # the country prefix (86 or 0086) if any, then 138****5678
        return (count - 11 + 3, 4)
    if kind == LANDLINE:
        # the area code, then the last four digits of the local number: 0532-****5678
        m = re.match(f"[(\uff08]?({_AREA})", finding.text)
        return (len(m.group(1)) if m else 0, 4)
    if kind == BANK_CARD:
        return (0, 4)
    raise ValueError(f"unknown kind of personal data: {kind!r}")


def mask_finding(finding: Finding) -> str:
    """The masked form of one finding: masked digits become ``*``, everything else stays."""
    text = finding.text
    count = sum(1 for ch in text if _is_digit(ch) or _is_x(ch))
    front, back = _keep(finding, count)
    out: list[str] = []
    index = 0
    for ch in text:
        if _is_digit(ch) or _is_x(ch):
            out.append(ch if index < front or index >= count - back else MASK_CHAR)
            index += 1
        else:
            out.append(ch)
    return "".join(out)


def apply_masks(text: str, findings: list[Finding]) -> str:
    """``text`` with every finding (non-overlapping, as returned by :func:`scan`) masked."""
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        parts.append(text[pos:f.start])
        parts.append(mask_finding(f))
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)
