"""Satisfaction callbacks (回访, Art. 25(二), 40): after a complaint's result is verified, the citizen who
agreed to be contacted is asked 满意 / 基本满意 / 不满意 — in Telegram with buttons, or by a 12333
operator on the phone — and 不满意 sends the ticket back to its bank once, then to a supervisor.

- `bot.satisfaction.callbacks`: creating, answering, reminding, reopening, deciding;
- `bot.satisfaction.rates`: satisfaction rates per bank, outlet and district for a month or year;
- `bot.satisfaction.reactions`: the ledger reactions that open a callback (wired in `bot.reactions`).

The console's lists of callbacks, contacts masked, are in `bot.web.console.callback_view`; the reports
read the rates, so this package imports neither.
"""

from bot.satisfaction.callbacks import (
    BUTTON_KIND,
    SKIP,
    Outcome,
    ScanResult,
    add_comment,
    answer_by_citizen,
    citizen_callback,
    decide,
    open_callback,
    record_phone_answer,
    record_phone_attempt,
    scan_callbacks,
)
from bot.satisfaction.errors import AlreadyAnswered, CallbackError, CallbackNotFound, InvalidAnswer
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback, Via
from bot.satisfaction.rates import GROUPINGS, Rate, overall, satisfaction_rates

__all__ = [
    "BUTTON_KIND", "GROUPINGS", "SKIP", "AlreadyAnswered", "Answer", "CallbackError", "CallbackNotFound",
    "CallbackState", "InvalidAnswer", "Outcome", "Rate", "SatisfactionCallback", "ScanResult", "Via", "add_comment",
    "answer_by_citizen", "citizen_callback", "decide", "open_callback", "overall", "record_phone_answer",
    "record_phone_attempt", "satisfaction_rates", "scan_callbacks",
]
