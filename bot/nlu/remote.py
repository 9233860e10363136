"""Async client of a running Rasa server's NLU (`POST /model/parse`, served with ``--enable-api``).

The console asks the same Rasa server the citizens' bot talks to, so the operator sees what the
assistant would understand. ``RasaParser.parse(text)`` returns the product's `Interpretation`;
failures are typed: `NluUnavailable` (Rasa down, too slow, no model loaded, 5xx: try later) and
`NluParseError` (Rasa answered, but not with a parse).

The HTTP client is injected; ``rasa_parser_lifespan`` creates one for an application and closes
it at shutdown, unless a parser was injected already (tests).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx

from bot.knowledge import Knowledge, get_knowledge
from bot.nlu.errors import NluParseError, NluUnavailable
from bot.nlu.interpret import FALLBACK_INTENT, Interpretation, blank, interpret
from bot.nlu.text import clean_text, has_content

PARSE_PATH = "/model/parse"
# An operator waits for this while the caller is on the line: connecting to a local server must be
# quick, and a parse that takes seconds is as good as none.
DEFAULT_TIMEOUT = httpx.Timeout(connect=1.0, read=5.0, write=2.0, pool=1.0)
MAX_CHARS = 500
MEMO_SIZE = 2000


class RasaParser:
    """Parses one text with a Rasa server's model and interprets it with knowledge/."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 *, knowledge: Knowledge | None = None, max_chars: int = MAX_CHARS, memo_size: int = MEMO_SIZE) -> None:
        self.client = client
        self.url = base_url.rstrip("/") + PARSE_PATH
        self.timeout = timeout
        self.max_chars = max_chars
        self.memo_size = memo_size
        self._knowledge = knowledge
        # Recent parses by text: the assist page asks about every sentence of a call again and
        # again while the operator types; the model gives the same answer for the same text.
        self._memo: OrderedDict[str, Interpretation] = OrderedDict()

    @property
    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            self._knowledge = get_knowledge()
        return self._knowledge

    async def parse(self, text: str) -> Interpretation:
        """The interpretation of `text`; blank text needs no model and gets the blank interpretation."""
        cleaned = clean_text(text)
        if not cleaned or not has_content(cleaned):
            return blank(text)
        # Entity offsets refer to the text sent, so the same (cut) text is interpreted.
        cleaned = cleaned[: self.max_chars]
        if cleaned in self._memo:
            self._memo.move_to_end(cleaned)
            return self._memo[cleaned]
        raw = await self._post(cleaned)
        result = replace(interpret(cleaned, self._known(raw), self.knowledge), text=cleaned)
        self._memo[cleaned] = result
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
        return result

    async def _post(self, text: str) -> dict[str, Any]:
        try:
            response = await self.client.post(self.url, json={"text": text}, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise NluUnavailable(f"Rasa did not parse in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise NluUnavailable(f"Rasa is not reachable at {self.url} ({type(exc).__name__})") from exc
        # 409: the server runs but has no model loaded yet.
        if response.status_code >= 500 or response.status_code == 409:
            raise NluUnavailable(f"Rasa answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise NluParseError(f"Rasa answered HTTP {response.status_code} to a parse request")
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NluParseError("Rasa's parse is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("intent_ranking", []), list) \
                or not isinstance(body.get("entities", []), list):
            raise NluParseError("Rasa's parse has an unexpected shape")
        return body

    def _known(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The parse without intents knowledge/ does not name (a model trained on other data)."""
        known = {i.rasa_name for i in self.knowledge.intents} | {FALLBACK_INTENT}
        ranking = [r for r in raw.get("intent_ranking") or [] if isinstance(r, dict) and r.get("name") in known]
        top = raw.get("intent") if isinstance(raw.get("intent"), dict) else {}
        entities = [e for e in raw.get("entities") or [] if isinstance(e, dict)]
        return {"intent": top, "intent_ranking": ranking, "entities": entities}


def make_client() -> httpx.AsyncClient:
    """The HTTP client a RasaParser is given: no redirects, JSON accepted, explicit timeouts."""
    return httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, follow_redirects=False,
                             headers={"Accept": "application/json"})


@asynccontextmanager
async def rasa_parser_lifespan(app: Any) -> AsyncIterator[None]:
    """Give `app.state.nlu_parser` a parser of Settings.rasa_url for the application's lifetime."""
    if getattr(app.state, "nlu_parser", None) is not None:  # injected: the injector owns it
        yield
        return
    from bot.settings import get_settings

    settings = get_settings()
    timeout = httpx.Timeout(connect=1.0, read=settings.rasa_timeout, write=2.0, pool=1.0)
    async with make_client() as client:
        app.state.nlu_parser = RasaParser(client, settings.rasa_url, timeout, max_chars=settings.nlu_max_chars)
        try:
            yield
        finally:
            app.state.nlu_parser = None
