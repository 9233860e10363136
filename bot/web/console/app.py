"""``mount_console(app)``: the console's pages, static files, error pages and security headers on a
FastAPI application (the back office's, see ``bot.web.app.create_app``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from bot.knowledge.catalogue import Catalogue
from bot.settings import Settings, get_settings
from bot.web.console.deps import LOGIN_PATH, ConsoleForbidden, ConsoleRedirect, wants_html
from bot.web.console.security import ConsoleSecurityHeaders
from bot.web.console.sessions import COOKIE_NAME, SessionPolicy
from bot.web.console.throttle import ThrottlePolicy
from bot.web.console.templating import STATIC_DIR, knowledge_of, render

# status → catalogue keys of the error page's title and sentence.
_HTTP_PAGES = {
    404: ("console_title_not_found", "console_not_found"),
    405: ("console_title_method_not_allowed", "console_method_not_allowed"),
    413: ("console_title_too_large", "console_too_large"),
}
_OTHER_HTTP_PAGE = ("console_title_bad_request", "console_bad_request")
# A refused CSRF check is a stale page more often than an attack: the title says so.
_FORBIDDEN_TITLES = {"console_csrf_failed": "console_title_csrf_failed"}


def is_console_path(path: str) -> bool:
    return path == "/console" or path.startswith("/console/")


def _messages(request: Request) -> Catalogue:
    return knowledge_of(request).messages


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if not wants_html(request):
        return JSONResponse({"detail": {"message": message, "field": None}}, status_code=status)
    return render(request, "errors/error.html", {"title": title, "message": message, "status": status},
                  status_code=status)


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleRedirect)
    if wants_html(request):
        response: Response = RedirectResponse(exc.location, status_code=303)
    else:  # a page script cannot show a redirect; it gets the message and where to sign in
        response = JSONResponse({"detail": {"message": _messages(request).explain(exc), "login": exc.location}},
                                status_code=401)
    if exc.clear_cookie:
        response.delete_cookie(COOKIE_NAME, path="/console", httponly=True, samesite="lax")
    return response


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleForbidden)
    messages = _messages(request)
    title = messages.text(_FORBIDDEN_TITLES.get(exc.code, "console_title_forbidden"))
    return _error_page(request, 403, title, messages.explain(exc))


def _wrap(app: FastAPI, exc_class: type[Exception], console_handler: Any) -> None:
    """Console paths get HTML pages; everything else keeps the bank API's JSON handler."""
    api_handler = app.exception_handlers.get(exc_class)

    async def handler(request: Request, exc: Exception) -> Response:
        if is_console_path(request.url.path) or api_handler is None:
            return await console_handler(request, exc)
        return await api_handler(request, exc)

    app.add_exception_handler(exc_class, handler)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title, message = _HTTP_PAGES.get(exc.status_code, _OTHER_HTTP_PAGE)
    messages = _messages(request)
    return _error_page(request, exc.status_code, messages.text(title), messages.text(message))


async def _validation_error(request: Request, exc: Exception) -> Response:
    # Forms validate their own fields and re-show them with a message; reaching this means a
    # hand-made request (a field missing altogether, a path id that is not a number).
    messages = _messages(request)
    return _error_page(request, 422, messages.render("console_title_incomplete"),
                       messages.render("console_incomplete"))


def mount_console(app: FastAPI, *, settings: Settings | None = None) -> None:
    """Add the console to `app`. Call after the app's own error handlers are installed."""
    from bot.web.console.routes import console_router
    from bot.web.console.users import prepare_sign_in

    settings = settings or get_settings()
    app.state.console_settings = settings
    app.state.console_policy = SessionPolicy.from_settings(settings)
    app.state.console_throttle = ThrottlePolicy.from_settings(settings)
    prepare_sign_in()  # the first failed sign-in must cost no more than later ones

    app.include_router(console_router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console_static")

    async def to_console() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=307)

    app.add_api_route("/", to_console, methods=["GET"], include_in_schema=False)
    app.add_api_route("/console", to_console, methods=["GET"], include_in_schema=False)

    app.add_exception_handler(ConsoleRedirect, _redirect)
    app.add_exception_handler(ConsoleForbidden, _forbidden)
    _wrap(app, StarletteHTTPException, _http_error)
    _wrap(app, RequestValidationError, _validation_error)
    app.add_middleware(ConsoleSecurityHeaders)


__all__ = ["LOGIN_PATH", "mount_console", "is_console_path"]
