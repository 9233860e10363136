"""Alembic environment: runs migrations with the product's own engine settings."""

from alembic import context
from sqlmodel import SQLModel

# Every package's tables, registered on SQLModel.metadata for autogenerate and the models test.
import bot.assessments.models  # noqa: F401
import bot.banks.models  # noqa: F401
import bot.forwarding.models  # noqa: F401
import bot.handoff.models  # noqa: F401
import bot.inspections.models  # noqa: F401
import bot.investigations.models  # noqa: F401

import bot.ledger.models  # noqa: F401
import bot.notifications.models  # noqa: F401
import bot.one_time_notices.models  # noqa: F401
import bot.outcomes.models  # noqa: F401
import bot.satisfaction.models  # noqa: F401
import bot.self_inspections.models  # noqa: F401
import bot.supervision.indexes  # noqa: F401
import bot.thresholds.models  # noqa: F401
import bot.web.api.rate_limit.models  # noqa: F401
import bot.web.console.models  # noqa: F401
from bot.db.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave alone tables the product does not own: Rasa's tracker store shares the database."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
