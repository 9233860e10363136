"""Database access: engines, sessions and schema migrations."""

from bot.db.engine import get_engine, make_engine, new_session
from bot.db.migrate import upgrade

__all__ = ["get_engine", "make_engine", "new_session", "upgrade"]
