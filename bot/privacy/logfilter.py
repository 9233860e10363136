"""Keeping personal data out of logs (Art. 9, 51)."""

from __future__ import annotations

import logging

from .detector import mask
from .rules import apply_masks, scan


class MaskingFilter(logging.Filter):
    """Masks ID, phone and bank card numbers in a record's message; never drops a record.

    The message is formatted with its arguments first (``log.info("call from %s", phone)``), then
    masked, and the record keeps the masked text as ``msg`` with no ``args``, so every handler that
    formats it afterwards sees the masked text. Exception and stack texts are left alone.

    As a logger filter (``logger.addFilter``) it sees only records logged on that very logger, not
    those propagated from child loggers; as a handler filter (``handler.addFilter``) it sees every
    record the handler emits. :func:`install_log_masking` does both.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_sbk_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # malformed args: logging reports that itself when it formats the record
            return True
        try:
            masked = mask(message)
        except Exception:  # the spaCy pipeline failed: the same rules without it
            masked = apply_masks(message, scan(message))
        if masked != message:
            record.msg = masked
            record.args = None
        record._sbk_masked = True
        return True


def install_log_masking(logger: logging.Logger | str | None = None) -> MaskingFilter:
    """Mask personal data in what ``logger`` (default: the root logger) writes.

    Adds one :class:`MaskingFilter` to the logger (records logged on it) and to each handler it
    has now (records propagated to it from child loggers). Calling it again adds nothing twice.
    Handlers attached later need ``handler.addFilter(MaskingFilter())`` or another call.
    """
    if logger is None or isinstance(logger, str):
        logger = logging.getLogger(logger)
    existing = next((f for f in logger.filters if isinstance(f, MaskingFilter)), None)
    masking = existing or MaskingFilter()
    if existing is None:
        logger.addFilter(masking)
    for handler in logger.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)
    return masking
