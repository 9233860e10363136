"""What Rasa's own REST channel makes of the actions' laid-out answers, and that the channels' client
joins it back into one reply.

A guide goes through the actions' `send` here (the action server runs in the application's
environment); a script in the Rasa environment hands that answer to Rasa's own RemoteAction (schema
check included) and CollectingOutputChannel — the code behind `POST /webhooks/rest/webhook` — and
prints the REST answer, which `parse_replies` reads here.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import send
from bot.answers import Reply, render_guide
from bot.channels.rasa import Button, parse_replies

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

# Runs in the Rasa environment: the action server's answer (standard input) through Rasa's code.
SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel

    async def rest_answer(body):
        jsonschema.validate(body, RemoteAction.action_response_format_spec())
        collector = CollectingOutputChannel()
        for uttered in await RemoteAction._utter_responses(body["responses"], collector, None, None):
            await collector.send_response("telegram:42", uttered.message())
        return collector.messages

    async def main():
        bodies = json.load(sys.stdin)
        print(json.dumps({name: await rest_answer(body) for name, body in bodies.items()}, ensure_ascii=False))

    asyncio.run(main())
""")


def _action_server_answer(reply: Reply) -> dict:
    """The body the action server (rasa_sdk, in the application's environment) answers for `send`."""
    dispatcher = CollectingDispatcher()
    send(dispatcher, reply)
    return {"events": [], "responses": dispatcher.messages}


@pytest.fixture(scope="module")
def rest(knowledge) -> dict:
    if not RASA_PYTHON.exists():
        pytest.skip(f"the Rasa environment is missing ({RASA_PYTHON})")
    reply = render_guide(knowledge.guide("inquiry/photo"), knowledge)
    bodies = {"plain": _action_server_answer(reply),
              "buttons": _action_server_answer(replace(reply, choices=(("other/handoff", "转人工"),)))}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            input=json.dumps(bodies), timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rasa_splits_the_text_and_the_client_joins_it_into_one_reply(rest, knowledge):
    reply = render_guide(knowledge.guide("inquiry/photo"), knowledge)
    assert len(rest["plain"]) > 5  # Rasa made a message of each paragraph, and one of the payload
    (joined,) = parse_replies(rest["plain"])
    assert joined.text == reply.text and joined.answer == reply.answer and joined.buttons == ()


def test_an_answer_with_buttons_comes_back_with_them(rest, knowledge):
    reply = render_guide(knowledge.guide("inquiry/photo"), knowledge)
    (joined,) = parse_replies(rest["buttons"])
    assert joined.text == reply.text and joined.answer == reply.answer
    assert joined.buttons == (Button("转人工", "/" + knowledge.intent("other/handoff").rasa_name),)
