"""Refusals of the self-inspection summaries (Art. 38); knowledge/errors.yml says them."""

from bot.knowledge.catalogue import Refusal


class SelfInspectionError(Refusal):
    """A summary, a period or a document refused; `field` names the input at fault, if any."""


class InvalidPeriod(SelfInspectionError):
    """The period is not written as one of the forms, or does not exist (2026-13, 2026-Q5)."""


class PeriodNotEnded(SelfInspectionError):
    """A summary is made after its period: one for a period still running is refused."""


class EmptyDocument(SelfInspectionError):
    """The file sent has no content: nothing to judge, like a missing field."""


class DocumentRefused(SelfInspectionError):
    """The file's content is not a PDF, DOCX or XLSX, or not what its name says."""


class DocumentTooLarge(SelfInspectionError):
    """The file is over the size limit (Settings.self_inspection_max_bytes)."""


class SubmissionNotFound(SelfInspectionError):
    """No such submission, or not the caller's bank's."""


class SubmissionConflict(SelfInspectionError):
    """Two uploads of one bank's period took the same version number; the later one is refused."""
