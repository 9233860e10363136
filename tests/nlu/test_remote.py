"""The console's NLU client: the real Rasa server's parse becomes the product's interpretation;
a Rasa that is down, slow or confused is a typed error, never a wrong answer.

The error tests put an httpx MockTransport in place of Rasa, because what is under test there
is how the client treats a failing server, not the model.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.nlu.errors import NluParseError, NluUnavailable
from bot.nlu.remote import RasaParser


def run(coro):
    """Run `coro` on a loop of its own thread: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def parse_with(handler, text="建行李村支行乱收费"):
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        return await RasaParser(client, "http://rasa.test").parse(text)


def test_the_real_model_understands_a_complaint(rasa_url, knowledge):
    async def go():
        async with httpx.AsyncClient() as client:
            parser = RasaParser(client, rasa_url, knowledge=knowledge)
            return await parser.parse("建行李村支行柜员态度很差还乱收费"), await parser.parse("   ")

    interp, blank = run(go())
    assert interp.category == "complaint"
    assert {name for name, _ in interp.ranking[:3]} & {"complaint/attitude", "complaint/fees"}
    assert interp.entities.get("bank") == "中国建设银行"
    assert interp.entities.get("outlet") == "李村支行"
    assert all(knowledge.intent(name) for name, _ in interp.ranking)  # contract names, not Rasa's
    assert blank.confidence == 0.0 and blank.intent == "other/out_of_scope"


def test_a_refused_connection_is_unavailable_with_its_cause():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(NluUnavailable) as caught:
        run(parse_with(refuse))
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_slow_rasa_is_unavailable():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(NluUnavailable):
        run(parse_with(slow))


@pytest.mark.parametrize(("status", "error"), [(500, NluUnavailable), (503, NluUnavailable),
                                               (409, NluUnavailable), (400, NluParseError),
                                               (404, NluParseError)])
def test_http_errors_are_typed(status, error):
    with pytest.raises(error):
        run(parse_with(lambda request: httpx.Response(status, json={"message": "no"})))


@pytest.mark.parametrize("body", [b"<html>proxy error</html>", b"[1, 2]", b'{"intent_ranking": "x"}'])
def test_an_answer_that_is_not_a_parse_is_a_parse_error(body):
    with pytest.raises(NluParseError):
        run(parse_with(lambda request: httpx.Response(200, content=body)))


def test_blank_text_never_reaches_rasa():
    calls = []

    def record(request):
        calls.append(request)
        return httpx.Response(500)

    interp = run(parse_with(record, text=" \u200b\n"))
    assert calls == [] and interp.confidence == 0.0


def test_a_text_seen_recently_is_not_sent_again():
    sent = []

    def rasa(request):
        sent.append(request.read().decode())
        ranking = [{"name": "inquiry_photo", "confidence": 0.9}, {"name": "not_in_knowledge", "confidence": 0.1}]
        return httpx.Response(200, json={"intent": ranking[0], "intent_ranking": ranking, "entities": []})

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as client:
            parser = RasaParser(client, "http://rasa.test", memo_size=2)
            return [await parser.parse(text) for text in ("没有照片", "没有照片", "照片", "补卡", "没有照片")]

    results = run(go())
    assert len(sent) == 4  # the repeat is remembered; after two other texts it is forgotten
    assert all(r.intent == "inquiry/photo" and [n for n, _ in r.ranking] == ["inquiry/photo"] for r in results)
