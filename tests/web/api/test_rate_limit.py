"""The bank API's rate limit, per bank key, kept in the database (both of them): beyond the allowance
429 with Retry-After and the API's usual error body; another bank is unaffected; the allowance comes
back with the clock (the app's, moved by the test: nothing sleeps)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.db import make_engine
from bot.settings import Settings
from bot.web.api.rate_limit import ApiRateState, BankApiLimiter, RateLimited, RatePolicy, bank_key
from bot.web.app import create_app
from tests.web.api.conftest import NOW

URL = "/api/bank/tickets"
# Three requests a minute: the allowance refills one request every 20 seconds.
POLICY = RatePolicy(limit=3, window=timedelta(seconds=60))
REFUSAL = "请求过于频繁：本行每 60 秒最多可调用 3 次，请 20 秒后再试"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def limited(engine, knowledge, calendar, clock):
    with TestClient(create_app(engine=engine, calendar=calendar, knowledge=knowledge, clock=clock,
                               bank_api_rate=POLICY)) as client:
        yield client


def _statuses(client: TestClient, headers: dict[str, str], n: int) -> list[int]:
    return [client.get(URL, headers=headers).status_code for _ in range(n)]


def test_the_defaults_are_120_requests_a_minute_and_the_environment_changes_them(monkeypatch):
    assert RatePolicy.from_settings(Settings(_env_file=None)) == RatePolicy(limit=120, window=timedelta(minutes=1))
    monkeypatch.setenv("BANK_API_RATE_LIMIT", "30")
    monkeypatch.setenv("BANK_API_RATE_WINDOW_SECONDS", "10")
    assert RatePolicy.from_settings(Settings(_env_file=None)) == RatePolicy(limit=30, window=timedelta(seconds=10))


def test_the_request_after_the_allowance_is_429_with_retry_after_and_the_usual_body(limited, banks):
    assert _statuses(limited, banks.a, 3) == [200, 200, 200]
    refused = limited.get(URL, headers=banks.a)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "20"
    assert refused.json() == {"detail": {"message": REFUSAL, "field": None}}
    assert refused.headers["content-type"].startswith("application/json")


def test_every_operation_is_limited_whatever_it_answers(limited, banks, ledger):
    number = ledger.ticket()
    assert limited.get(f"{URL}/{number}", headers=banks.a).status_code == 200
    assert limited.get(f"{URL}/ZB-20990101-0001", headers=banks.a).status_code == 404  # spent all the same
    assert limited.post(f"{URL}/{number}/acknowledge", headers=banks.a).status_code == 200
    assert limited.post(f"{URL}/{number}/report", headers=banks.a, json={"process": "已联系"}).status_code == 429
    assert limited.get("/api/bank/self-inspections", headers=banks.a).status_code == 429
    assert ledger.get(number).process_report is None  # the refused report changed nothing


def test_one_banks_traffic_never_spends_anothers_allowance(limited, banks):
    assert _statuses(limited, banks.a, 5) == [200, 200, 200, 429, 429]
    assert _statuses(limited, banks.b, 4) == [200, 200, 200, 429]


def test_a_wrong_key_is_still_401_and_spends_nobodys_allowance(limited, banks):
    for _ in range(5):
        assert limited.get(URL, headers={"Authorization": "Bearer sbk_00000000_" + "x" * 43}).status_code == 401
    assert _statuses(limited, banks.a, 3) == [200, 200, 200]


def test_the_allowance_comes_back_with_the_clock_and_refusals_spend_nothing(limited, banks, clock):
    assert _statuses(limited, banks.a, 4) == [200, 200, 200, 429]
    clock.advance(timedelta(seconds=19))
    for _ in range(5):  # refused again and again: none of it moves the moment it may come back
        refused = limited.get(URL, headers=banks.a)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    clock.advance(timedelta(seconds=1))
    assert _statuses(limited, banks.a, 2) == [200, 429]  # one request back every 20 seconds
    clock.advance(timedelta(seconds=60))
    assert _statuses(limited, banks.a, 4) == [200, 200, 200, 429]  # after a quiet window, all of it


def test_a_retry_after_a_fraction_of_a_second_is_rounded_up_to_a_whole_second(engine, banks, clock):
    limiter = BankApiLimiter(RatePolicy(limit=3, window=timedelta(seconds=10)))  # one back every 3.334 s
    for _ in range(3):
        limiter.spend(engine=engine, key="bank:1", now=clock.now())
    with pytest.raises(RateLimited) as refused:
        limiter.spend(engine=engine, key="bank:1", now=clock.now() + timedelta(seconds=2))
    assert refused.value.retry_after == 2  # 1.334 s left
    limiter.spend(engine=engine, key="bank:1", now=clock.now() + timedelta(seconds=4))


def test_two_back_office_processes_spend_from_one_allowance(db_url, knowledge, calendar, clock, banks):
    """Two applications, each with its own engine and connections to the one database: what one
    of them admitted counts in the other."""
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        apps = [create_app(engine=e, calendar=calendar, knowledge=knowledge, clock=clock, bank_api_rate=POLICY)
                for e in engines]
        with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
            assert _statuses(first, banks.a, 2) == [200, 200]
            assert _statuses(second, banks.a, 2) == [200, 429]
            assert first.get(URL, headers=banks.a).status_code == 429
            assert _statuses(second, banks.b, 1) == [200]
    finally:
        for e in engines:
            e.dispose()


def test_the_database_holds_one_small_row_per_bank_however_many_requests(limited, banks, engine):
    _statuses(limited, banks.a, 10)
    _statuses(limited, banks.b, 2)
    with Session(engine) as session:
        rows = session.exec(select(ApiRateState).order_by(ApiRateState.key)).all()
        assert len(rows) == 2
        assert all(row.state.isdigit() for row in rows)  # one GCRA arrival time per rate


def test_a_changed_rate_starts_the_keys_afresh_instead_of_misreading_them(engine, clock):
    one_rate = BankApiLimiter(RatePolicy(limit=1, window=timedelta(seconds=60)))
    one_rate.spend(engine=engine, key=bank_key(7), now=clock.now())
    with Session(engine) as session:
        row = session.get(ApiRateState, bank_key(7))
        row.state = "1,2"  # as a list of two rates would have left it
        session.add(row)
        session.commit()
    one_rate.spend(engine=engine, key=bank_key(7), now=clock.now())
    with pytest.raises(RateLimited):
        one_rate.spend(engine=engine, key=bank_key(7), now=clock.now())


def test_reset_forgets_a_keys_spending(engine, clock):
    limiter = BankApiLimiter(RatePolicy(limit=1, window=timedelta(hours=1)))
    limiter.spend(engine=engine, key=bank_key(1), now=clock.now())
    limiter.reset(engine=engine, key=bank_key(1))
    limiter.spend(engine=engine, key=bank_key(1), now=clock.now())


def test_requests_arriving_together_on_separate_connections_are_admitted_exactly_up_to_the_limit(db_url, clock):
    """Twelve requests of one bank at once, each from an engine of its own (as from several
    processes): the check-and-spend is atomic in the database, so exactly five pass."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    limiter = BankApiLimiter(RatePolicy(limit=5, window=timedelta(seconds=60)))
    engines = [make_engine(db_url) for _ in range(12)]
    start = Barrier(len(engines))

    def attempt(engine) -> bool:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            limiter.spend(engine=engine, key=bank_key(1), now=clock.now())
        except RateLimited:
            return False
        return True

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            admitted = list(pool.map(attempt, engines))
    finally:
        for e in engines:
            e.dispose()
    assert admitted.count(True) == 5


def test_with_the_defaults_the_121st_request_gets_the_answer_the_integration_guide_shows(engine, knowledge,
                                                                                          calendar, clock, banks):
    guide = (Path(__file__).resolve().parents[3] / "docs" / "bank-integration.md").read_text(encoding="utf-8")
    app = create_app(engine=engine, calendar=calendar, knowledge=knowledge, clock=clock,
                     bank_api_rate=RatePolicy.from_settings(Settings(_env_file=None)))
    with TestClient(app) as client:
        assert _statuses(client, banks.a, 120) == [200] * 120
        refused = client.get(URL, headers=banks.a)
    assert refused.status_code == 429
    assert f"Retry-After: {refused.headers['retry-after']}\n" in guide
    assert json.dumps(refused.json(), ensure_ascii=False) in guide


def test_the_openapi_document_states_the_default_allowance_and_documents_429_everywhere(limited):
    from bot.web.api.contract import DESCRIPTION

    defaults = Settings(_env_file=None)
    assert f"默认每 {defaults.bank_api_rate_window_seconds} 秒 {defaults.bank_api_rate_limit} 次" in DESCRIPTION
    document = limited.get("/openapi.json").json()
    operations = [op for path, item in document["paths"].items() if path.startswith("/api/bank")
                  for op in item.values()]
    assert operations and all("Retry-After" in op["responses"]["429"]["headers"] for op in operations)


def _spend_in_a_process(url: str, at: str, attempts: int, start, results) -> None:  # type: ignore[no-untyped-def]
    """One back-office process: its own interpreter, engine and connections."""
    from datetime import datetime

    engine = make_engine(url)
    limiter = BankApiLimiter(RatePolicy(limit=5, window=timedelta(seconds=60)))
    start.wait()
    admitted = 0
    for _ in range(attempts):
        try:
            limiter.spend(engine=engine, key=bank_key(1), now=datetime.fromisoformat(at))
            admitted += 1
        except RateLimited:
            pass
    engine.dispose()
    results.put(admitted)


def test_two_processes_spending_at_once_are_admitted_exactly_up_to_the_limit(db_url, clock):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_spend_in_a_process, args=(db_url, clock.now().isoformat(), 6, start, results))
                 for _ in range(2)]
    for process in processes:
        process.start()
    counts = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sum(counts) == 5
