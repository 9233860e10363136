"""Two Rasa servers sharing the conversations, as `make run-cluster` runs them (docs/deployment.md): the
trackers in PostgreSQL (the product's tracker store), the conversation locks in the machine's Redis
(REDIS_URL, nlu_runtime/lock_store.py), one action server behind both.

One citizen's messages alternated across the two servers keep every turn, in order, once: a whole
complaint story, its form carried from one server to the other at every message, must run exactly the
story's actions; and messages sent at the same time to both servers must each be processed once, whole,
one after the other (without the shared lock two servers store their own continuations of the same
tracker and turns are lost).

The two servers (fixture `cluster`, tests/conversations/conftest.py) are started once per session.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter

import httpx

from bot.channels.rasa import parse_replies
from tests.conversations.test_conversations import REPLIES, STORIES, actual_turns, mismatches

STORY = "complaint with every detail, a call back and confirmation"
# Different intents, so that each turn is recognisable in the tracker by its text.
AT_ONCE = ("你好", "社保卡丢了怎么办", "谢谢", "社保卡怎么激活", "密码忘了怎么办", "再见")


def test_a_story_alternated_across_both_servers_keeps_every_turn_in_order(cluster):
    turns = STORIES[STORY]
    sender = f"test:{uuid.uuid4().hex[:12]}"
    replies: list[str] = []
    for index, turn in enumerate(turns):
        server = cluster[index % 2]
        response = httpx.post(f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": turn.text},
                              timeout=120)
        response.raise_for_status()
        said = [r.text for r in parse_replies(response.json())]
        assert said and all(text.strip() for text in said), f"turn {index} on {server}: {said}"
        replies.append("\n".join(said))
    trackers = [httpx.get(f"{server}/conversations/{sender}/tracker", timeout=30).json() for server in cluster]
    # Both servers read the same conversation from the database.
    assert trackers[0]["events"] == trackers[1]["events"]
    problems = mismatches(turns, actual_turns(trackers[0]["events"]))
    assert not problems, "\n".join(problems) + "\n\n" + "\n".join(replies)
    for index, pattern in REPLIES[STORY]:
        assert re.search(pattern, replies[index]), f"turn {index}: {pattern!r}\n\n" + "\n".join(replies)


async def _send_at_once(cluster: tuple[str, str], sender: str) -> list[list[str]]:
    async with httpx.AsyncClient(timeout=120) as client:
        async def send(index: int, text: str) -> list[str]:
            response = await client.post(f"{cluster[index % 2]}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": text})
            response.raise_for_status()
            return [r.text for r in parse_replies(response.json())]

        return await asyncio.gather(*(send(i, text) for i, text in enumerate(AT_ONCE)))


def test_messages_sent_at_once_to_both_servers_are_each_processed_once_and_whole(cluster):
    sender = f"test:{uuid.uuid4().hex[:12]}"
    answers = asyncio.run(_send_at_once(cluster, sender))
    assert all(said for said in answers), answers
    events = httpx.get(f"{cluster[0]}/conversations/{sender}/tracker", timeout=30).json()["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert Counter(said) == Counter(AT_ONCE), said
    # Turn after turn: each message's actions end with listening before the next message is read.
    kinds = [("user" if e["event"] == "user" else e.get("name")) for e in events
             if e["event"] == "user" or (e["event"] == "action" and e.get("name") == "action_listen")]
    assert kinds[kinds.index("user"):] == ["user", "action_listen"] * len(AT_ONCE), kinds
