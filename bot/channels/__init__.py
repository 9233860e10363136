"""The citizens' channels: the Telegram bot and the terminal chat, both in front of Rasa's REST channel.

- `rasa`: `RasaClient` (async, injected httpx client, bounded retries) and its errors
  `RasaError` → `RasaUnavailable` / `RasaBadResponse`.
- `telegram`: `build_application(settings, rasa=…, engine=None)` and `run(settings)`.
- `replies`: `Say`, the channel's sentences (from knowledge/replies.yml).
- `ratelimit`: `SlidingWindowLimiter`, the per-citizen flood limit.

Importing this package does not import python-telegram-bot; import `bot.channels.telegram` for the bot.
"""

from bot.channels.rasa import (
    Button,
    RasaBadResponse,
    RasaClient,
    RasaError,
    RasaReply,
    RasaUnavailable,
    make_http_client,
)

__all__ = ["Button", "RasaBadResponse", "RasaClient", "RasaError", "RasaReply", "RasaUnavailable",
           "make_http_client"]
