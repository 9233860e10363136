"""The bank API: partner banks read their own tickets and report on them (SPEC.md, external contract).

``create_app()`` builds the FastAPI application; run it with
``uvicorn bot.api.main:app --factory``. Nothing is created at import time.
"""

from bot.api.main import create_app

__all__ = ["create_app"]
