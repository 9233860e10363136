"""The Rasa REST client against httpx.MockTransport: typed errors, bounded retries, explicit timeouts."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import render_guide
from bot.answers.layout import PAYLOAD_KIND, as_text, to_payload
from bot.channels.rasa import (
    DEFAULT_TIMEOUT,
    Button,
    RasaBadResponse,
    RasaClient,
    RasaError,
    RasaReply,
    RasaUnavailable,
    make_http_client,
    parse_replies,
)
from tests.channels.conftest import rest_answer

URL = "http://rasa.test:5005"


class Script:
    """Answers each request with the next step: a Response, or an exception to raise."""

    def __init__(self, *steps) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted", request=request)
        return step


def send(script: Script, message: str = "你好", *, max_tries: int = 3) -> list[RasaReply]:
    async def main():
        client = RasaClient(httpx.AsyncClient(transport=httpx.MockTransport(script)), base_url=URL + "/",
                            max_tries=max_tries, base_delay=0.001, max_delay=0.01)
        try:
            return await client.send("telegram:42", message)
        finally:
            await client.aclose()
    return asyncio.run(main())


def test_the_message_is_posted_to_the_rest_webhook_and_the_replies_parsed():
    script = Script(httpx.Response(200, json=[
        {"recipient_id": "telegram:42", "text": "您好，请问办理什么业务？"},
        {"recipient_id": "telegram:42", "text": "请选择", "buttons": [{"title": "挂失", "payload": "/inquiry_report_loss"}]},
        {"recipient_id": "telegram:42", "image": "https://example.invalid/a.png"},
    ]))
    replies = send(script, "社保卡")
    assert replies == [RasaReply("您好，请问办理什么业务？"),
                       RasaReply("请选择", (Button("挂失", "/inquiry_report_loss"),))]
    [request] = script.requests
    assert request.method == "POST" and str(request.url) == f"{URL}/webhooks/rest/webhook"
    assert json.loads(request.content) == {"sender": "telegram:42", "message": "社保卡"}


def test_a_message_id_goes_in_the_rest_channels_metadata():
    script = Script(httpx.Response(200, json=[{"text": "好的"}]))

    async def main():
        client = RasaClient(httpx.AsyncClient(transport=httpx.MockTransport(script)), base_url=URL)
        try:
            assert await client.send("telegram:42", "确认", message_id="4f1c") == [RasaReply("好的")]
            with pytest.raises(ValueError):
                await client.send("telegram:42", "确认", message_id="")
        finally:
            await client.aclose()
    asyncio.run(main())
    [request] = script.requests
    assert json.loads(request.content) == {"sender": "telegram:42", "message": "确认",
                                           "metadata": {"message_id": "4f1c"}}


def test_an_empty_answer_is_no_replies():
    assert send(Script(httpx.Response(200, json=[]))) == []


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_unreachable_rasa_is_retried_a_bounded_number_of_times(failure):
    script = Script(failure)
    with pytest.raises(RasaUnavailable) as error:
        send(script, max_tries=3)
    assert len(script.requests) == 3
    assert error.value.retry_safe and isinstance(error.value.__cause__, failure)


def test_a_recovery_within_the_retries_is_a_normal_answer():
    script = Script(httpx.ConnectError, httpx.Response(503), httpx.Response(200, json=[{"text": "好的"}]))
    assert send(script) == [RasaReply("好的")]
    assert len(script.requests) == 3


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_message_rasa_may_have_processed_is_not_resent(failure):
    script = Script(failure)
    with pytest.raises(RasaUnavailable) as error:
        send(script)
    assert len(script.requests) == 1
    assert not error.value.retry_safe and isinstance(error.value.__cause__, failure)


@pytest.mark.parametrize("status, tries", [(500, 1), (502, 1), (503, 3), (504, 1)])
def test_5xx_is_unavailable_and_only_503_is_retried(status, tries):
    script = Script(httpx.Response(status, text="error"))
    with pytest.raises(RasaUnavailable, match=str(status)):
        send(script)
    assert len(script.requests) == tries


@pytest.mark.parametrize("response", [
    httpx.Response(404, text="not found"),
    httpx.Response(400, json={"error": "bad"}),
    httpx.Response(200, text="<html>proxy page</html>"),
    httpx.Response(200, json={"text": "not a list"}),
    httpx.Response(200, json=["not an object"]),
    httpx.Response(200, json=[{"text": 5}]),
    httpx.Response(200, json=[{"text": "x", "buttons": {"title": "a"}}]),
    httpx.Response(200, json=[{"text": "x", "buttons": [{"title": "no payload"}]}]),
], ids=["404", "400", "html", "object", "item", "text-type", "buttons-type", "button-payload"])
def test_a_bad_answer_is_a_bad_response_and_not_retried(response):
    script = Script(response)
    with pytest.raises(RasaBadResponse):
        send(script)
    assert len(script.requests) == 1


def test_bad_json_keeps_the_decoding_error_as_cause():
    with pytest.raises(RasaBadResponse) as error:
        send(Script(httpx.Response(200, content=b"[{", headers={"content-type": "application/json"})))
    assert isinstance(error.value.__cause__, ValueError)


def test_the_error_tree():
    assert issubclass(RasaUnavailable, RasaError) and issubclass(RasaBadResponse, RasaError)
    assert not issubclass(RasaUnavailable, RasaBadResponse)


def test_timeouts_are_explicit():
    client = make_http_client()
    try:
        assert client.timeout == DEFAULT_TIMEOUT
        assert None not in (client.timeout.connect, client.timeout.read, client.timeout.write, client.timeout.pool)
    finally:
        asyncio.run(client.aclose())


def test_a_slow_rasa_times_out_as_unavailable():
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1)
        return httpx.Response(200, json=[])

    class SlowTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            try:
                return await asyncio.wait_for(slow(request), timeout=request.extensions["timeout"]["read"])
            except TimeoutError as exc:
                raise httpx.ReadTimeout("read timed out", request=request) from exc

    async def main():
        client = RasaClient(httpx.AsyncClient(transport=SlowTransport(), timeout=httpx.Timeout(0.05)),
                            base_url=URL)
        try:
            await client.send("telegram:42", "你好")
        finally:
            await client.aclose()
    with pytest.raises(RasaUnavailable, match="in time"):
        asyncio.run(main())


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        RasaClient(httpx.AsyncClient(), base_url=URL, max_tries=0)
    script = Script(httpx.Response(200, json=[]))
    client = RasaClient(httpx.AsyncClient(transport=httpx.MockTransport(script)), base_url=URL)
    with pytest.raises(ValueError):
        asyncio.run(client.send("", "x"))
    assert script.requests == []


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                               st.sampled_from(["text", "buttons", "title", "payload", "image", "x"]), inner,
                               max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_either_parses_or_is_a_bad_response(data):
    try:
        replies = parse_replies(data)
    except RasaBadResponse:
        return
    assert all(isinstance(r.text, str) and (r.text or r.buttons) for r in replies)
    assert all(isinstance(b.payload, str) and b.payload for r in replies for b in r.buttons)


# --------------------------------------------------------------------------- a laid-out answer


def test_a_laid_out_answer_split_by_rasa_comes_back_as_one_reply(knowledge):
    answer = render_guide(knowledge.guide("inquiry/photo"), knowledge).answer
    data = rest_answer(answer, before=[{"text": "您好"}], after=[{"text": "还有其他问题吗？"}])
    assert len(data) > 8  # Rasa made many messages of it
    replies = parse_replies(data)
    assert [r.text for r in replies] == ["您好", as_text(answer), "还有其他问题吗？"]
    assert replies[1].answer == answer


def test_a_laid_out_answer_keeps_its_buttons(knowledge):
    answer = render_guide(knowledge.guide("inquiry/apply"), knowledge).answer
    buttons = [{"title": "转人工", "payload": "/other_handoff"}]
    replies = parse_replies(rest_answer(answer, buttons=buttons))
    assert replies == [RasaReply(as_text(answer), (Button("转人工", "/other_handoff"),), answer)]


def test_a_layout_without_its_text_is_still_the_whole_reply(knowledge):
    answer = render_guide(knowledge.guide("inquiry/apply"), knowledge).answer
    replies = parse_replies([{"text": "别的话"}, {"custom": to_payload(answer)}])
    assert replies == [RasaReply("别的话"), RasaReply(as_text(answer), answer=answer)]


def test_a_malformed_layout_is_a_bad_response_and_other_payloads_are_skipped():
    with pytest.raises(RasaBadResponse, match="message 0"):
        parse_replies([{"custom": {"kind": PAYLOAD_KIND, "title": "t", "lead": 3, "sections": []}}])
    assert parse_replies([{"custom": {"kind": "map"}}, {"text": "好的"}]) == [RasaReply("好的")]
