"""Runtime configuration, read once from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ipaddress import ip_network
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the service; names follow the operations contract of docs/contracts.md."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'sbk.db'}"
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    # Citizens' channels (bot/channels/). Webhook mode when a public HTTPS URL is set, long polling otherwise.
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Checked on every webhook call (Telegram sends it back); a random one per run when unset.
    telegram_webhook_secret: str | None = None
    # Where the bot keeps chat state (messages waiting for Rasa, button payloads) across restarts.
    telegram_persistence_file: Path = PROJECT_ROOT / "var" / "telegram.pickle"
    telegram_rate_per_minute: int = Field(default=20, ge=1)
    # Longer messages are cut, with a note to the citizen.
    telegram_max_chars: int = Field(default=1000, ge=16, le=4096)
    # Wait between two getUpdates calls (Telegram itself long-polls, so 0 is right there).
    telegram_poll_interval: float = Field(default=0.0, ge=0)
    # How often the back office's notices (bank results, escalations, a 12333 operator's replies in a
    # handoff) are looked for and pushed: short, because an operator's reply should arrive like a chat
    # message; each look is one indexed query.
    telegram_push_interval: float = Field(default=2.0, gt=0)
    # First wait before a message kept while Rasa was down is tried again; doubles up to 5 minutes.
    telegram_rasa_retry_seconds: float = Field(default=10.0, gt=0)
    # What /cancel sends to Rasa so an open form is cancelled (NLU reads 取消 as a denial).
    rasa_cancel_message: str = "取消"
    # Seconds to wait for Rasa's answer to one message (NLU, dialogue and custom actions).
    rasa_timeout: float = Field(default=10.0, gt=0)

    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's conversation events (nlu_runtime/event_broker.py) for the assistant's own figures: when set,
    # Rasa publishes them to RabbitMQ and `sbk events consume` writes them to the database; unset, no
    # broker is used and the figures stay empty. The same variables are read by the Rasa side.
    rabbitmq_url: str | None = None  # e.g. amqp://guest:guest@127.0.0.1:5672/%2F
    rabbitmq_queue: str = Field(default="sbk_conversation_events", min_length=1, max_length=255)
    nlu_model: Path = PROJECT_ROOT / "models" / "assistant.tar.gz"
    rasa_python: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    # Seconds to wait for the model host to load a model (TensorFlow start-up dominates).
    nlu_load_timeout: float = Field(default=180.0, gt=0)
    # Longer messages are cut before parsing: intent is decided long before 500 characters,
    # and parse time grows with length.
    nlu_max_chars: int = Field(default=500, ge=16)

    # Console sign-in (bot/web/console/): a session ends after this long without a request …
    console_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # … and in any case this long after sign-in.
    console_session_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    # Set when the console is served over HTTPS (directly or behind a TLS proxy): the cookie then never travels in clear.
    console_cookie_secure: bool = False
    # Sign-in throttling (bot/web/console/throttle.py), counted in the database so that every back-office
    # process behind a load balancer sees the same counts: this many failed sign-ins for one account name
    # within the window lock that name …
    console_sign_in_account_failures: int = Field(default=5, ge=1, le=1000)
    # … and this many from one client address (whatever names it tries) refuse that address …
    console_sign_in_address_failures: int = Field(default=20, ge=1, le=100_000)
    console_sign_in_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # … for this long, unless an administrator lifts it first.
    console_sign_in_lockout_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    # The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client.
    # None by default: a header any client can send must not decide which address is counted.
    console_trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("console_trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        """`10.0.0.1, 10.1.0.0/16` or a list; each entry must be an address or a network."""
        items = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            return items
        cleaned = tuple(str(item).strip() for item in items if str(item).strip())
        for item in cleaned:
            ip_network(item, strict=False)  # ValueError: pydantic reports the setting by name
        return cleaned

    # The bank API's rate limit (bot/web/api/rate_limit/): each bank's key may make this many requests …
    bank_api_rate_limit: int = Field(default=120, ge=1, le=1_000_000)
    # … per this many seconds: all at once if it likes, the allowance then refilling evenly over the
    # window; beyond it 429 with Retry-After. Kept in DATABASE_URL's database, so that every back-office
    # process behind the load balancer spends from one allowance per bank.
    bank_api_rate_window_seconds: int = Field(default=60, ge=1, le=24 * 60 * 60)

    # The largest self-inspection summary (Art. 38) a bank may upload, in bytes; the bank API reads
    # at most one byte more before refusing with 413. The Measures set no size: operator configuration.
    self_inspection_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)


@cache
def get_settings() -> Settings:
    """The process-wide settings, created on first use (not at import)."""
    return Settings()
