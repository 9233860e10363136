"""Threshold rules of the Measures (Art. 43–48, counted per Art. 50): evaluation and firings.

Public API:
- `evaluate(session, *, bank, at, knowledge)` → new `ThresholdFiring`s (called by the ledger,
  under `lock_bank`, in the transaction that changed the ledger for `bank`);
- `firings(session, *, bank=None, period=None, rule_id=None, level=None)` → recorded firings;
- `OFFICIAL` / `WARNING` (firing levels), `subject_of` / `parse_subject` (subject format),
  `counted_intents`, `counting_channels`, `uncountable_rules` (what the knowledge base makes count);
- `month_of`, `year_of`, `SHANGHAI` (calendar periods in Asia/Shanghai).
"""

from bot.thresholds.evaluation import evaluate, firings, parse_subject, subject_of
from bot.thresholds.periods import SHANGHAI, Period, month_of, year_of
from bot.thresholds.selection import OFFICIAL, WARNING, counted_intents, counting_channels, uncountable_rules

__all__ = [
    "OFFICIAL",
    "SHANGHAI",
    "WARNING",
    "Period",
    "counted_intents",
    "counting_channels",
    "evaluate",
    "firings",
    "month_of",
    "parse_subject",
    "subject_of",
    "uncountable_rules",
    "year_of",
]
