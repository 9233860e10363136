"""`sbk chat`: the terminal conversation, scripted, against a Rasa REST stand-in (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import json

import httpx

from bot.channels.rasa import RasaClient
from bot.channels.replies import Say
from bot.cli.chat import TerminalChat

say = Say()


class Rasa:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.down_for = 0  # the next N requests find Rasa down

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down_for:
            self.down_for -= 1
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content)
        self.received.append(body)
        if body["message"] == "投诉":
            return httpx.Response(200, json=[{"text": "是哪家银行？", "buttons": [
                {"title": "建行", "payload": '/inform{"bank": "中国建设银行"}'},
                {"title": "农行", "payload": '/inform{"bank": "中国农业银行"}'}]}])
        if body["message"] == "取消":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[{"text": f"收到：{body['message']}"}])


def talk(lines, rasa: Rasa, *, interrupt: bool = False) -> tuple[int, list[str], list[str]]:
    """Run a chat over `lines`; EOF (or Ctrl-C with `interrupt`) after the last. Returns status, output, prompts."""
    script = iter(lines)
    output: list[str] = []
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        try:
            return next(script)
        except StopIteration:
            raise (KeyboardInterrupt if interrupt else EOFError) from None

    with asyncio.Runner() as runner:
        client = RasaClient(httpx.AsyncClient(transport=httpx.MockTransport(rasa)), base_url="http://rasa.test",
                            max_tries=1)
        chat = TerminalChat(client, sender="terminal:tester", say=say, run=runner.run, read=read,
                            write=output.append, cancel_message="取消", max_chars=20)
        status = chat.loop()
        runner.run(client.aclose())
    return status, output, prompts


def test_a_conversation_with_numbered_choices():
    rasa = Rasa()
    status, output, _ = talk(["投诉", "2", "3", "", "/cancel"], rasa)
    assert status == 0
    assert [b["message"] for b in rasa.received] == ["投诉", '/inform{"bank": "中国农业银行"}', "3", "取消"]
    assert all(b["sender"] == "terminal:tester" for b in rasa.received)
    assert output[0] == say("chat_banner")
    assert output[1:4] == ["助手：是哪家银行？", "  1. 建行", "  2. 农行"]
    assert "（农行）" in output
    assert "助手：收到：3" in output  # no choices on screen any more: a number is just text
    assert f"助手：{say('channel_cancelled')}" in output
    assert output[-1] == say("chat_goodbye")


def test_rasa_down_asks_to_retry_and_nothing_is_lost():
    rasa = Rasa()
    rasa.down_for = 2
    status, output, prompts = talk(["你好", "", "", "再见"], rasa)
    assert status == 0
    assert output.count(say("chat_unavailable", url="http://rasa.test/webhooks/rest/webhook")) == 2
    assert [b["message"] for b in rasa.received] == ["你好", "再见"]
    assert prompts.count("重试？[Y/n] ") == 2


def test_declining_the_retry_drops_only_that_message():
    rasa = Rasa()
    rasa.down_for = 1
    _, output, _ = talk(["你好", "n", "在吗"], rasa)
    assert [b["message"] for b in rasa.received] == ["在吗"]
    assert "助手：收到：你好" not in output and "助手：收到：在吗" in output


def test_ctrl_c_leaves_cleanly_and_long_lines_are_cut():
    rasa = Rasa()
    status, output, _ = talk(["长" * 30], rasa, interrupt=True)
    assert status == 0 and output[-1] == say("chat_goodbye")
    assert rasa.received[0]["message"] == "长" * 20
    assert f"助手：{say('channel_truncated', limit=20)}" in output

