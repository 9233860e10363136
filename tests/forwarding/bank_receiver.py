"""A partner bank's webhook receiver, run as its own process by the forwarding tests.

It does what the integration guide (docs/bank-integration.md) asks of a bank, written
independently of bot.forwarding: verify X-SBK-Signature with the shared secret over the raw
body — or, with ``scheme: "standard"``, verify the Standard Webhooks headers with the
`standardwebhooks` library as a bank using it would (its 5-minute tolerance on the real clock, so
replays are refused) — then record the delivery. Every request is appended to ``<dir>/received.jsonl`` on
arrival; each one answered 2xx with a valid signature is appended to ``<dir>/accepted.jsonl``.

Control (JSON POSTs from the tests):
- ``/_reset {"dir": "...", "secret": "...", "delay": 0, "scheme": "sbk"}``: new output folder, secret,
  verification scheme (``sbk`` or ``standard``), empty plan.
- ``/_plan {"actions": [...]}``: answers for the next requests, in order; afterwards 200 {"ok": true}.
  An action is a dict: ``status`` (default 200), ``body`` (text), ``content_type``, ``sleep`` (seconds
  before answering; the request is recorded first and dropped if the client goes away),
  ``trickle`` (2xx whose body never ends, one byte every `trickle` seconds), ``endless`` (a body of
  64 KiB chunks that never ends), ``location`` (for redirects), ``retry_after``.

Run: ``python bank_receiver.py --port 8123 --dir /tmp/x --secret s``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path

import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

STATE: dict = {"dir": None, "secret": "", "plan": [], "delay": 0.0, "scheme": "sbk"}


def _append(out: Path | None, name: str, record: dict) -> None:
    if out is None:
        return
    with open(out / name, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def signature_ok(raw: bytes, secret: str, header: str | None) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").encode("utf-8", "replace"))


def standard_ok(raw: bytes, secret: str, headers: dict) -> bool:
    """As the integration guide says: a whsec_ secret as given, an older one as its UTF-8 bytes."""
    key = secret if secret.startswith("whsec_") else secret.encode("utf-8")
    try:
        Webhook(key).verify(raw, headers)
    except (WebhookVerificationError, ValueError):
        return False
    return True


async def webhook(request: Request) -> Response:
    out = STATE["dir"]  # captured now: a request still open after a reset writes to its own folder
    raw = await request.body()
    action = STATE["plan"].pop(0) if STATE["plan"] else {}
    headers = {k: v for k, v in request.headers.items() if k.startswith(("webhook-", "x-sbk-"))}
    if STATE["scheme"] == "standard":
        ok = standard_ok(raw, STATE["secret"], headers)
    else:
        ok = signature_ok(raw, STATE["secret"], request.headers.get("x-sbk-signature"))
    try:
        body = json.loads(raw.decode("utf-8"))
    except ValueError:
        body = None
    record = {
        "at": time.time(),
        "path": request.url.path,
        "delivery_id": request.headers.get("x-sbk-delivery"),
        "event": request.headers.get("x-sbk-event"),
        "attempt": request.headers.get("x-sbk-attempt"),
        "signature_ok": ok,
        "body_delivery_id": body.get("delivery_id") if isinstance(body, dict) else None,
        "body": body,
        "raw": raw.decode("utf-8", "replace"),
        "headers": headers,
        "action": action,
    }
    _append(out, "received.jsonl", record)

    wait = float(action.get("sleep", STATE["delay"]))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        if await request.is_disconnected():
            _append(out, "dropped.jsonl", {"delivery_id": record["delivery_id"]})
            return Response(status_code=499)

    if not ok:
        return JSONResponse({"error": "bad signature"}, status_code=401)
    status = int(action.get("status", 200))
    headers = {}
    if "location" in action:
        headers["Location"] = action["location"]
    if "retry_after" in action:
        headers["Retry-After"] = str(action["retry_after"])
    if 200 <= status < 300:
        _append(out, "accepted.jsonl", {"delivery_id": record["delivery_id"], "event": record["event"]})

    if "trickle" in action or "endless" in action:
        async def forever():
            while True:
                if "trickle" in action:
                    await asyncio.sleep(float(action["trickle"]))
                    yield b"."
                else:
                    await asyncio.sleep(0)
                    yield b"x" * 65536

        return StreamingResponse(forever(), status_code=status, headers=headers, media_type="text/plain")
    if "body" in action:
        return Response(action["body"], status_code=status, headers=headers,
                        media_type=action.get("content_type", "text/plain"))
    return JSONResponse({"ok": True}, status_code=status, headers=headers)


async def reset(request: Request) -> Response:
    data = await request.json()
    STATE["dir"] = Path(data["dir"]) if data.get("dir") else None
    if STATE["dir"] is not None:
        STATE["dir"].mkdir(parents=True, exist_ok=True)
    STATE["secret"] = data.get("secret", "")
    STATE["delay"] = float(data.get("delay", 0.0))
    STATE["scheme"] = data.get("scheme", "sbk")
    STATE["plan"] = []
    return JSONResponse({"ok": True})


async def plan(request: Request) -> Response:
    STATE["plan"].extend((await request.json())["actions"])
    return JSONResponse({"ok": True})


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


app = Starlette(routes=[
    Route("/_reset", reset, methods=["POST"]),
    Route("/_plan", plan, methods=["POST"]),
    Route("/_health", health),
    Route("/{path:path}", webhook, methods=["POST"]),
])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--secret", default="")
    args = parser.parse_args()
    STATE["dir"] = Path(args.dir) if args.dir else None
    if STATE["dir"] is not None:
        STATE["dir"].mkdir(parents=True, exist_ok=True)
    STATE["secret"] = args.secret
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
