"""The back office's web application: the bank API (``bot.web.api``) and the console (``bot.web.console``)
side by side on one FastAPI app, with the dependencies they share.

``bot.web.app.create_app()`` builds it; it is served with ``uvicorn bot.web.app:app --factory``.
Both halves import their shared dependencies from ``bot.web.deps`` and neither imports the other
or the composition. Nothing is created at import time.
"""
