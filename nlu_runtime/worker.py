"""Model host: loads a trained Rasa model once and parses JSON-lines requests from stdin.

Protocol (one JSON object per line, UTF-8):
  first output line   {"ready": true, "model": "...", "load_seconds": 1.2}
  request             {"text": "..."}
  response            {"intent": {...}, "intent_ranking": [...], "entities": [...], "parse_ms": 4.1}
                      or {"error": "..."} for a request that could not be parsed
The bot side (bot.nlu.worker) owns the process; stdout carries the protocol only, so anything
a library prints is diverted to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time


def _protocol_stream():
    """Keep the real stdout for the protocol and send stray prints to stderr."""
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return proto


def _parse_result(raw: dict, parse_ms: float) -> dict:
    keep = ("entity", "value", "start", "end", "extractor", "confidence_entity", "processors")
    return {
        "intent": raw.get("intent") or {},
        "intent_ranking": raw.get("intent_ranking") or [],
        "entities": [{k: e[k] for k in keep if k in e} for e in raw.get("entities") or []],
        "parse_ms": round(parse_ms, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="path to a trained model archive")
    args = parser.parse_args(argv)

    proto = _protocol_stream()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    started = time.perf_counter()
    agent = Agent.load(args.model)
    load_seconds = time.perf_counter() - started
    print(json.dumps({"ready": True, "model": args.model, "load_seconds": round(load_seconds, 3)}),
          file=proto)

    for line in sys.stdin:
        try:
            text = json.loads(line)["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
            t0 = time.perf_counter()
            raw = loop.run_until_complete(agent.parse_message(text))
            reply = _parse_result(raw, (time.perf_counter() - t0) * 1000)
        except Exception as exc:  # one bad request must not end the host
            logging.getLogger(__name__).warning("parse failed", exc_info=True)
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply, ensure_ascii=False), file=proto)
    return 0


if __name__ == "__main__":
    sys.exit(main())
