"""The back office's one application: ``create_app()``, or ``uvicorn bot.web.app:app --factory``.

The bank API (under /api/bank) and the console (under /console, and / leads there) are sibling
parts of it; this module is the only place that knows both.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from bot.clock import Clock, get_clock
from bot.knowledge import Knowledge
from bot.ledger.events import Reactions
from bot.nlu.remote import RasaParser, rasa_parser_lifespan
from bot.reactions import ledger_reactions
from bot.settings import get_settings
from bot.web.api.contract import API_PREFIX, DESCRIPTION, TITLE, VERSION
from bot.web.api.errors import install_error_handlers
from bot.web.api.middleware import BodySizeLimit
from bot.web.api.rate_limit import BankApiLimiter, RatePolicy
from bot.web.api.routes import api_router
from bot.web.api.routes.self_inspections import UPLOAD_FORM_MARGIN, UPLOAD_PATH
from bot.web.console.app import mount_console
from bot.workdays import WorkdayCalendar


def create_app(*, engine: Engine | None = None, calendar: WorkdayCalendar | None = None,
               knowledge: Knowledge | None = None, nlu_parser: RasaParser | None = None,
               clock: Clock | None = None, reactions: Reactions | None = None,
               self_inspection_max_bytes: int | None = None,
               bank_api_rate: RatePolicy | None = None) -> FastAPI:
    """The back office over `engine` (default: DATABASE_URL's), `calendar` and `knowledge`
    (default: the repository's), telling time by `clock` (default: the system's), the ledger's
    changes followed by `reactions` (default: the product's); the console's
    NLU is `nlu_parser` (default: a client of Settings.rasa_url, opened and closed with the
    application). Banks upload self-inspection summaries of up to `self_inspection_max_bytes`
    (default: Settings.self_inspection_max_bytes) and may make the requests `bank_api_rate` allows
    (default: Settings.bank_api_rate_limit per bank_api_rate_window_seconds), counted in the database."""
    if engine is None:
        from bot.db import get_engine

        engine = get_engine()
    if knowledge is None:
        from bot.knowledge import get_knowledge

        knowledge = get_knowledge()
    # The OpenAPI document describes the bank API only: it is the partner banks' contract.
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=VERSION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=rasa_parser_lifespan,
    )
    app.state.nlu_parser = nlu_parser
    app.state.engine = engine
    app.state.calendar = calendar if calendar is not None else WorkdayCalendar()
    app.state.knowledge = knowledge
    app.state.clock = clock if clock is not None else get_clock()
    app.state.reactions = reactions if reactions is not None else ledger_reactions()
    if self_inspection_max_bytes is None:
        self_inspection_max_bytes = get_settings().self_inspection_max_bytes
    app.state.self_inspection_max_bytes = self_inspection_max_bytes
    if bank_api_rate is None:
        bank_api_rate = RatePolicy.from_settings(get_settings())
    app.state.bank_api_limiter = BankApiLimiter(bank_api_rate)
    install_error_handlers(app)
    # An upload is a file plus a few form fields: its path alone takes a body the size of the file.
    app.add_middleware(BodySizeLimit, wider={
        API_PREFIX + UPLOAD_PATH: self_inspection_max_bytes + UPLOAD_FORM_MARGIN})
    app.include_router(api_router, prefix=API_PREFIX)
    # After the bank API's error handlers: the console's handlers answer console paths and hand the rest to them.
    mount_console(app)
    return app


def app() -> FastAPI:
    """Factory for ``uvicorn bot.web.app:app --factory``: the served process masks personal data in logs."""
    from bot.privacy import get_nlp, install_log_masking

    for name in (None, "uvicorn", "uvicorn.access", "uvicorn.error"):
        install_log_masking(name)
    # The masking pipeline takes seconds to build: at start-up, not in the first operator's request.
    get_nlp()
    return create_app()
