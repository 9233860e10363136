"""The city agency's own findings for the annual assessment (Art. 39–42), entered in the console.

The Art. 40 items the system cannot know (an outlet's premises, training, the agreement …), the
confirmed bonus and automatic-fail events and Art. 49's refusal to act are the city's judgement:
``models`` keeps one entry per bank and year, ``entries`` reads and writes them and turns a year's
entries into the `bot.reports.assessment.AssessmentInput` the yearly report scores.
"""

from bot.assessments.entries import EntryDraft, EntryInvalid, assessment_input, entry_for, parse_entry, save_entry
from bot.assessments.models import AssessmentEntry, AssessmentEntryPublic

__all__ = [
    "AssessmentEntry",
    "AssessmentEntryPublic",
    "EntryDraft",
    "EntryInvalid",
    "assessment_input",
    "entry_for",
    "parse_entry",
    "save_entry",
]
