"""Understanding citizens' messages: the client of the trained Rasa model and its interpretation."""

from bot.nlu.errors import NluError, NluParseError, NluUnavailable
from bot.nlu.interpret import Interpretation, blank, interpret
from bot.nlu.service import Classifier

__all__ = ["Classifier", "Interpretation", "NluError", "NluParseError", "NluUnavailable", "blank", "interpret"]
