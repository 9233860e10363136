"""The assistant's own figures: conversations answered without a person, handed to a 12333 operator,
or ended without being understood.

- `bot.outcomes.models`: one row per conversation (a Rasa session), and the receipts of messages applied;
- `bot.outcomes.ingest`: Rasa's events (as its event broker publishes them) read into those rows;
- `bot.outcomes.consumer`: the RabbitMQ consumer behind `sbk events consume` (durable queue, each
  message acknowledged after its write is committed);
- `bot.outcomes.figures`: the shares per month, for the board.
"""

from bot.outcomes.errors import InvalidEvent, OutcomeError
from bot.outcomes.figures import COUNTED, AssistantFigures, assistant_figures
from bot.outcomes.ingest import State, apply, ingest, parse_message, replay
from bot.outcomes.models import ConversationOutcome, Outcome

__all__ = ["COUNTED", "AssistantFigures", "ConversationOutcome", "InvalidEvent", "Outcome", "OutcomeError", "State",
           "apply", "assistant_figures", "ingest", "parse_message", "replay"]
