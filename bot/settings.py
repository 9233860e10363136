"""Runtime configuration, read once from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the service; names follow SPEC.md's operations contract."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'sbk.db'}"
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"

    rasa_url: str = "http://127.0.0.1:5005"
    nlu_model: Path = PROJECT_ROOT / "models" / "nlu.tar.gz"
    rasa_python: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    # Seconds to wait for the model host to load a model (TensorFlow start-up dominates).
    nlu_load_timeout: float = Field(default=180.0, gt=0)
    # Longer messages are cut before parsing: intent is decided long before 500 characters,
    # and parse time grows with length.
    nlu_max_chars: int = Field(default=500, ge=16)


@cache
def get_settings() -> Settings:
    """The process-wide settings, created on first use (not at import)."""
    return Settings()
