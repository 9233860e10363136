"""Schema migrations (Alembic): the only way the schema of a database changes."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.settings import PROJECT_ROOT, get_settings


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration for `url` (default: DATABASE_URL), without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolation would read % in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`."""
    command.upgrade(alembic_config(url), revision)
