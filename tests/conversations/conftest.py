"""The two Rasa servers of `make run-cluster` (docs/deployment.md), shared by the cluster tests.

Two Rasa servers with the trained model, the trackers in one PostgreSQL schema of their own (the product's
tracker store, beside the ledger), the conversation locks in the machine's Redis (REDIS_URL,
nlu_runtime/lock_store.py) and one action server behind both. Starting a Rasa server is the cost of these
tests (30 s or more on two busy cores), so the pair is started once per session, both at once, for
tests/conversations/test_cluster.py and test_cluster_faults.py; a test that kills one starts it again on
its port before it ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import make_engine, upgrade
from tests.conftest import POSTGRES_SCHEMA, POSTGRES_URL
from tests.conversations.test_conversations import wait_for
from tests.rasa_server import RasaProcess, free_port, missing_requirements, stop

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/1"
# Other tests of the session drop and recreate POSTGRES_SCHEMA while these servers run: a schema of their own.
CLUSTER_SCHEMA = f"{POSTGRES_SCHEMA}_cluster"
# Rasa's ticket lock of a conversation outlives a server killed while it held it by this long (Rasa's
# TICKET_LOCK_LIFETIME, 60 s by default): the killed citizen's conversation waits that long. Here 20 s, so
# that the fault test's wait stays short; every turn of these tests takes far less.
LOCK_LIFETIME_SECONDS = "20"


@dataclass
class Cluster:
    servers: tuple[RasaProcess, RasaProcess]
    database_url: str
    actions_url: str

    @property
    def urls(self) -> tuple[str, str]:
        return self.servers[0].url, self.servers[1].url


def _schema(action: str) -> None:
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {CLUSTER_SCHEMA} CASCADE"))
            if action == "create":
                conn.execute(text(f"CREATE SCHEMA {CLUSTER_SCHEMA}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def rasa_cluster(tmp_path_factory) -> Iterator[Cluster]:
    """Two Rasa servers on one PostgreSQL schema and the machine's Redis, with one action server."""
    problem = missing_requirements()
    if problem:
        pytest.fail(problem)
    work = tmp_path_factory.mktemp("cluster")
    _schema("create")
    separator = "&" if "?" in POSTGRES_URL else "?"
    database_url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{CLUSTER_SCHEMA}"
    upgrade(database_url)
    env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "TICKET_LOCK_LIFETIME": LOCK_LIFETIME_SECONDS}
    port = free_port()
    log = work / "actions.log"
    with log.open("w") as out:
        actions = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                                   cwd=ROOT, env={**os.environ, **env, "PYTHONWARNINGS": "ignore"}, stdout=out,
                                   stderr=subprocess.STDOUT)
    servers: list[RasaProcess] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/health", actions, log, timeout=120)
        endpoints = work / "endpoints.yml"
        # The product's endpoints.yml with this test's action server.
        endpoints_text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
        endpoints.write_text(endpoints_text.replace("http://127.0.0.1:5055/webhook",
                                                    f"http://127.0.0.1:{port}/webhook"), encoding="utf-8")
        assert f"127.0.0.1:{port}" in endpoints.read_text()
        servers = [RasaProcess(work, endpoints=endpoints, env=env) for _ in range(2)]
        for server in servers:  # both load their model at the same time
            server.spawn()
        for server in servers:
            server.wait_until_ready()
        yield Cluster(servers=(servers[0], servers[1]), database_url=database_url,
                      actions_url=f"http://127.0.0.1:{port}")
    finally:
        for server in servers:
            server.stop()
        stop(actions)
        _schema("drop")


@pytest.fixture(scope="session")
def cluster(rasa_cluster: Cluster) -> tuple[str, str]:
    """The two servers' URLs."""
    return rasa_cluster.urls
