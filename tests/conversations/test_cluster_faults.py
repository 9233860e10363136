"""A Rasa server of the cluster killed in the middle of the citizens' conversations (docs/deployment.md).

HAProxy, with the configuration `make run-cluster` generates (bot/cluster.py: the Rasa pool, its health
check, its retries), in front of the two Rasa servers of tests/conversations/conftest.py. Ten citizens
each make a whole complaint through the product's RasaClient against the balancer, a message at a time
with a short pause between, and a message that gets no answer (RasaUnavailable) is kept and sent again
with its id, as the Telegram channel does (bot/channels/telegram.py). While requests are in progress on
it, one Rasa server is SIGKILLed, then started again on its port; once HAProxy has it back, each citizen
asks how the complaint stands.

What a citizen cares about, checked afterwards: every message reached the dialogue once and in order (the
ids in the tracker), the conversation ran exactly the story's actions, every citizen was told a ticket
number, and the database holds exactly that one transfer ticket for the citizen, with one delivery to
the bank; and the restarted server answers again.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import dataclasses
import io
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import Session, col, select

from bot.channels.rasa import RasaClient, RasaReply, RasaUnavailable, make_http_client
from bot.cluster import Layout, default_layout, haproxy_config
from bot.db import make_engine
from bot.forwarding.models import Delivery
from bot.ledger.models import Case, Ticket, TicketKind
from tests.conversations.conftest import Cluster
from tests.conversations.test_conversations import STORIES, UNSET, Turn, actual_turns, mismatches
from tests.rasa_server import free_port

ROOT = Path(__file__).resolve().parents[2]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
STORY = "complaint with every detail, a call back and confirmation"
CITIZENS = 10
# Distinct outlets and phones: the same phone or the same outlet with the same words would make the
# citizens' complaints duplicates of each other (knowledge/rules.yml `duplicates`), one ticket for all —
# also of the story's own complaint (山东路支行), which test_cluster.py submits to the same database.
OUTLETS = ("燕儿岛路支行", "香港中路支行", "南京路支行", "延安三路支行", "辽阳西路支行", "福州南路支行",
           "宁夏路支行", "台东一路支行", "威海路支行", "徐州路支行")
PAUSE_SECONDS = 0.4  # between a citizen's answer and the next message
RESEND_SECONDS = 1.0  # a kept message is sent again after this long (the channel's retry, shortened)
MESSAGE_DEADLINE_SECONDS = 150.0  # one message answered within this long, resends included
TICKET = re.compile(r"工单编号：(ZB-\d{8}-\d{4})")
LOCK_RETRY = yaml.safe_load((ROOT / "knowledge" / "replies.yml").read_text(encoding="utf-8"))["messages"][
    "channel_lock_unavailable"]


def personal_story(index: int) -> list[Turn]:
    """The complaint story with citizen `index`'s own outlet and phone."""
    outlet, phone = OUTLETS[index], f"139123456{index:02d}"

    def own(value):
        return value.replace("山东路支行", outlet).replace("13912345678", phone) if isinstance(value, str) else value

    turns = copy.deepcopy(STORIES[STORY], memo={id(UNSET): UNSET})  # the sentinel stays itself
    for turn in turns:
        turn.text = own(turn.text)
        for step in turn.steps:
            step.slots = {name: own(value) for name, value in step.slots.items()}
    return turns


# --------------------------------------------------------------------------- the balancer


@dataclass
class Balancer:
    url: str
    stats_url: str
    log: Path

    def server(self, name: str) -> dict[str, str]:
        """HAProxy's statistics of one Rasa server (status, hrsp_2xx, scur, chkdown …)."""
        text = httpx.get(self.stats_url, timeout=2).text.lstrip("# ")
        for row in csv.DictReader(io.StringIO(text)):
            if row["pxname"] == "rasa" and row["svname"] == name:
                return row
        raise AssertionError(f"no server {name} in HAProxy's statistics:\n{text}")


@pytest.fixture(scope="module")
def balancer(rasa_cluster: Cluster, tmp_path_factory) -> Iterator[Balancer]:
    """HAProxy with the cluster's Rasa pool (bot/cluster.py) in front of the two servers, plus a statistics page."""
    if not Path(HAPROXY).exists():
        pytest.fail(f"HAProxy is missing ({HAPROXY}); `make /usr/sbin/haproxy` installs it")
    work = tmp_path_factory.mktemp("balancer")
    [pool] = [p for p in default_layout(rasa=[url.removeprefix("http://") for url in rasa_cluster.urls]).pools
              if p.name == "rasa"]
    pool = dataclasses.replace(pool, listen=f"127.0.0.1:{free_port()}")
    stats = f"127.0.0.1:{free_port()}"
    config = work / "haproxy.cfg"
    config.write_text(haproxy_config(Layout(pools=(pool,)))
                      + f"\nlisten stats\n    bind {stats}\n    stats enable\n    stats uri /stats\n")
    log = work / "haproxy.log"
    with log.open("w") as out:
        process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT)
    found = Balancer(url=f"http://{pool.listen}", stats_url=f"http://{stats}/stats;csv", log=log)
    try:
        deadline = time.monotonic() + 30
        while not all(found_up(found, name) for name in ("rasa1", "rasa2")):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text())
            time.sleep(0.2)
        yield found
    finally:
        process.terminate()
        process.wait(timeout=10)


def found_up(balancer: Balancer, name: str) -> bool:
    try:
        return balancer.server(name)["status"] == "UP"
    except httpx.HTTPError:
        return False


# --------------------------------------------------------------------------- the citizens


@dataclass
class Citizen:
    index: int
    sender: str = field(default_factory=lambda: f"fault:{uuid.uuid4().hex[:12]}")
    message_ids: list[str] = field(default_factory=list)
    replies: list[list[RasaReply]] = field(default_factory=list)
    resends: int = 0


@dataclass
class Load:
    answered: int = 0
    later: asyncio.Event = field(default_factory=asyncio.Event)


async def converse(rasa: RasaClient, citizen: Citizen, load: Load) -> Citizen:
    """One citizen's whole story; the last message (how the complaint stands) once `load.later` is set."""
    turns = personal_story(citizen.index)
    await asyncio.sleep(citizen.index * 0.15)
    for number, turn in enumerate(turns):
        if number == len(turns) - 1:
            await load.later.wait()
        message_id = uuid.uuid4().hex
        citizen.message_ids.append(message_id)
        deadline = time.monotonic() + MESSAGE_DEADLINE_SECONDS
        while True:
            try:
                said = await rasa.send(citizen.sender, turn.text, message_id=message_id)
            except RasaUnavailable as exc:
                said = None
                if time.monotonic() > deadline:
                    raise AssertionError(f"{citizen.sender}: {turn.text!r} unanswered: {exc}") from exc
            # The lock's "send it again" is an answer the citizen follows, with the same message.
            if said is not None and [r.text for r in said] != [LOCK_RETRY]:
                break
            citizen.resends += 1
            await asyncio.sleep(RESEND_SECONDS)
        citizen.replies.append(said)
        load.answered += 1
        await asyncio.sleep(PAUSE_SECONDS)
    return citizen


async def kill_and_restart(cluster: Cluster, balancer: Balancer, load: Load) -> dict[str, float]:
    """SIGKILL the second server while it has requests in progress, start it again, wait until HAProxy has it
    back, then let the citizens ask their last question; returns when things happened."""
    victim = cluster.servers[1]
    deadline = time.monotonic() + 60
    while load.answered < CITIZENS and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # Frozen first (SIGSTOP), so that the requests the balancer gives it stay in progress until the SIGKILL
    # lands: on a fast machine a request lasts a few milliseconds, and a kill timed by polling missed them all.
    victim.process.send_signal(signal.SIGSTOP)
    while int(balancer.server("rasa2")["scur"] or 0) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    in_progress = int(balancer.server("rasa2")["scur"] or 0)
    victim.kill()
    killed = time.monotonic()
    answered_at_kill = load.answered
    victim.spawn()
    await asyncio.to_thread(victim.wait_until_ready)
    ready = time.monotonic()
    while not found_up(balancer, "rasa2"):
        await asyncio.sleep(0.2)
    served_before = int(balancer.server("rasa2")["hrsp_2xx"] or 0)
    load.later.set()
    return {"in_progress": in_progress, "answered_at_kill": answered_at_kill, "restart_seconds": ready - killed,
            "served_before": served_before}


async def run_load(cluster: Cluster, balancer: Balancer) -> tuple[list[Citizen], dict[str, float]]:
    load = Load()
    rasa = RasaClient(make_http_client(), base_url=balancer.url)
    try:
        fault = asyncio.create_task(kill_and_restart(cluster, balancer, load))
        citizens = await asyncio.gather(*(converse(rasa, Citizen(i), load) for i in range(CITIZENS)))
        return list(citizens), await fault
    finally:
        if not load.later.is_set():
            load.later.set()
        await rasa.aclose()


@pytest.fixture
def survivor_restored(rasa_cluster: Cluster) -> Iterator[None]:
    """The killed server runs again after the test whatever happened, for the session's other tests."""
    yield
    victim = rasa_cluster.servers[1]
    if victim.process is None or victim.process.poll() is not None:
        victim.spawn()
        victim.wait_until_ready()


def test_a_server_killed_mid_load_loses_no_message_and_creates_no_ticket_twice(rasa_cluster, balancer,
                                                                               survivor_restored):
    started = time.monotonic()
    citizens, fault = asyncio.run(run_load(rasa_cluster, balancer))
    seconds = time.monotonic() - started
    resends = sum(c.resends for c in citizens)
    repeats = sum(server.log.read_text(errors="replace").count("was processed already")
                  for server in rasa_cluster.servers)
    print(f"\n{CITIZENS} citizens, {sum(len(c.message_ids) for c in citizens)} messages in {seconds:.0f} s; "
          f"killed with {fault['in_progress']} request(s) in progress on it after {fault['answered_at_kill']} answers, "
          f"back after {fault['restart_seconds']:.0f} s; {resends} resend(s), {repeats} answered as a repeat")

    # The kill cut requests off: some messages went unanswered and were sent again.
    assert fault["in_progress"] >= 1 and resends >= 1, f"the kill cut no request off: {fault}"
    # HAProxy saw the server go down, and the restarted server takes its share again.
    rasa2 = balancer.server("rasa2")
    assert int(rasa2["chkdown"]) >= 1 and rasa2["status"] == "UP", rasa2
    assert int(rasa2["hrsp_2xx"]) > fault["served_before"], rasa2

    engine = make_engine(rasa_cluster.database_url)
    try:
        with httpx.Client(base_url=rasa_cluster.urls[0], timeout=30) as client, Session(engine) as session:
            for citizen in citizens:
                turns = personal_story(citizen.index)
                events = client.get(f"/conversations/{citizen.sender}/tracker").json()["events"]
                # Every message reached the dialogue, once, in the order sent.
                stored = [(e.get("metadata") or {}).get("message_id") for e in events if e["event"] == "user"]
                assert stored == citizen.message_ids, (
                    citizen.sender, [citizen.message_ids.index(i) if i in citizen.message_ids else i for i in stored],
                    [e.get("text") for e in events if e["event"] == "user"])
                problems = mismatches(turns, actual_turns(events))
                assert not problems, (citizen.sender, problems)
                told = TICKET.search("\n".join(r.text for r in citizen.replies[5]))
                assert told, (citizen.sender, citizen.replies[5])
                # Exactly one transfer ticket, the one the citizen was told, and one delivery to the bank.
                tickets = session.exec(select(Ticket).join(Case, col(Case.id) == col(Ticket.case_id))
                                       .where(Case.citizen_ref == citizen.sender,
                                              Ticket.kind == TicketKind.transfer)).all()
                assert [t.number for t in tickets] == [told.group(1)], (citizen.sender, tickets)
                deliveries = session.exec(select(Delivery).where(Delivery.ticket_id == tickets[0].id)).all()
                assert len(deliveries) == 1, (citizen.sender, deliveries)
                # A submit cut off after the ledger committed runs again: the second case, if any, is a
                # duplicate of the first (bot/ledger/duplicates.py), without a ticket of its own.
                cases = session.exec(select(Case).where(Case.citizen_ref == citizen.sender)).all()
                first = [c for c in cases if c.duplicate_of is None]
                assert len(first) == 1 and all(c.duplicate_of == first[0].id for c in cases if c is not first[0])
    finally:
        engine.dispose()


def test_a_message_sent_again_is_answered_again_and_not_processed_twice(cluster):
    """Its answer lost, a message is sent again with its id, here to the other server: the same replies,
    one turn in the conversation."""
    turns = STORIES[STORY]
    sender = f"fault:{uuid.uuid4().hex[:12]}"

    async def main() -> list[list[RasaReply]]:
        clients = [RasaClient(make_http_client(), base_url=url) for url in cluster]
        try:
            first = await clients[0].send(sender, turns[0].text, message_id="m-1")
            again = await clients[1].send(sender, turns[0].text, message_id="m-1")
            next_turn = await clients[1].send(sender, turns[1].text, message_id="m-2")
            return [first, again, next_turn]
        finally:
            for client in clients:
                await client.aclose()

    first, again, next_turn = asyncio.run(main())
    assert first and again == first
    assert next_turn and next_turn != first
    events = httpx.get(f"{cluster[0]}/conversations/{sender}/tracker", timeout=30).json()["events"]
    assert [e["metadata"].get("message_id") for e in events if e["event"] == "user"] == ["m-1", "m-2"]
    assert not mismatches(turns[:2], actual_turns(events))
