"""The 12333 hotline and supervision web console, served under ``/console`` by the back office's app.

Server-rendered Chinese pages (Jinja2, autoescaped); sign-in with server-side sessions, CSRF
tokens on every state-changing request, roles checked on the server for every page and action,
and an audit log of who viewed or changed which ticket (Art. 51). ``mount_console(app)`` wires it
into a FastAPI application (the back office's, ``bot.web.app``).
"""
