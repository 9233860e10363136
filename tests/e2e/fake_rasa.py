"""A stand-in for Rasa's REST channel, answering deterministically, for the end-to-end tests.

    python fake_rasa.py PORT

POST /webhooks/rest/webhook {"sender", "message"} answers, as Rasa's REST channel does, with a list of
messages: a message containing 按钮 gets a question with two buttons, anything else ``收到：<message>``.
GET /log lists what this process received, in order. "Rasa down" is this process stopped.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RECEIVED: list[dict[str, str]] = []
BUTTONS = [{"title": "是", "payload": "/other_affirm"}, {"title": "否", "payload": "/other_deny"}]


async def webhook(request: Request) -> JSONResponse:
    body = await request.json()
    sender, message = body["sender"], body["message"]
    RECEIVED.append({"sender": sender, "message": message})
    if "按钮" in message:
        return JSONResponse([{"recipient_id": sender, "text": f"请确认：{message}", "buttons": BUTTONS}])
    return JSONResponse([{"recipient_id": sender, "text": f"收到：{message}"}])


async def log(_request: Request) -> JSONResponse:
    return JSONResponse(RECEIVED)


app = Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]), Route("/log", log)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
