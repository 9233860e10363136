"""The bank API: partner banks read their own tickets and report on them (external contract: docs/bank-integration.md).

``bot.web.api.routes.api_router`` holds its operations, served under ``bot.web.api.contract.API_PREFIX``
by the back office's application (``bot.web.app.create_app``); ``bot.web.api.contract`` is what its
OpenAPI document says about itself. Nothing is created at import time.
"""
