"""Personal-data protection (Measures Art. 9 and 51): find and mask ID, phone and bank card numbers.

``find(text)`` lists the personal data in a text, ``mask(text)`` hides it in a readable way
(370202********1234, 138****5678, 0532-****5678, ***************0128), and ``MaskingFilter`` /
``install_log_masking`` keep it out of logs. Detection is a spaCy pipeline (blank zh, jieba with
the project's dictionary, the ``sbk_personal_data`` rule component) built on first use; importing
this package does not import spaCy. See ``rules.py`` for what counts as each kind.
"""

from .detector import find, mask
from .logfilter import MaskingFilter, install_log_masking
from .rules import (
    BANK_CARD,
    ID_NUMBER,
    KINDS,
    LANDLINE,
    MASK_CHAR,
    MAYBE_ID_NUMBER,
    MOBILE,
    Finding,
    id_check_char,
    is_valid_id_number,
    luhn_valid,
    mask_finding,
    scan,
)


def get_nlp():
    """The shared spaCy pipeline (built on the first call)."""
    from .pipeline import get_nlp as _get_nlp

    return _get_nlp()


__all__ = [
    "BANK_CARD",
    "ID_NUMBER",
    "KINDS",
    "LANDLINE",
    "MASK_CHAR",
    "MAYBE_ID_NUMBER",
    "MOBILE",
    "Finding",
    "MaskingFilter",
    "find",
    "get_nlp",
    "id_check_char",
    "install_log_masking",
    "is_valid_id_number",
    "luhn_valid",
    "mask",
    "mask_finding",
    "scan",
]
