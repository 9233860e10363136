"""Storing summaries and judging them: versions, the first submission's time, on time / late /
missing / not due, and the punctuality figure of a bank's year."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.self_inspections import (
    InspectionStatus,
    InvalidPeriod,
    PeriodNotEnded,
    SelfInspection,
    SelfInspectionCreate,
    SubmissionNotFound,
    bank_inspections,
    get_submission,
    list_submissions,
    punctuality,
    submit,
)
from bot.workdays import get_calendar
from tests.self_inspections import documents

CCB, ICBC = "中国建设银行", "中国工商银行"
LIMIT = 1024 * 1024
# 2026-10-08 17:00 in Qingdao: the due instant of September and of the third quarter.
SEPTEMBER_DUE = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)


def send(session, *, bank=CCB, period="2026-09", content=documents.PDF, filename="自查总结.pdf", at, knowledge):
    return submit(session, bank=bank, data=SelfInspectionCreate(period=period, filename=filename, content=content),
                  max_bytes=LIMIT, now=at, knowledge=knowledge, calendar=get_calendar())


def count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(SelfInspection)).one()


def test_a_summary_is_stored_with_its_digest_and_due_instant(engine, knowledge):
    at = datetime(2026, 10, 8, 8, 0, tzinfo=UTC)  # 16:00 on the due day
    with Session(engine) as session:
        row = send(session, at=at, knowledge=knowledge)
        session.commit()
        stored = session.get(SelfInspection, row.id)
        assert stored.content == documents.PDF
        assert stored.sha256 == hashlib.sha256(documents.PDF).hexdigest() and stored.size_bytes == len(documents.PDF)
        assert (stored.period, stored.period_kind.value, stored.version) == ("2026-09", "month", 1)
        assert (stored.media_type, stored.filename) == ("application/pdf", "自查总结.pdf")
        assert (stored.submitted_at, stored.due_at, stored.late, stored.due_provisional) == \
            (at, SEPTEMBER_DUE, False, False)


def test_sending_a_period_again_adds_a_version_and_the_first_time_decides(engine, knowledge):
    with Session(engine) as session:
        first = send(session, at=SEPTEMBER_DUE - timedelta(hours=1), knowledge=knowledge)
        second = send(session, at=SEPTEMBER_DUE + timedelta(days=2), content=documents.docx(), filename="修订.docx",
                      knowledge=knowledge)
        session.commit()
        assert (first.version, second.version, first.late, second.late) == (1, 2, False, True)
        assert [r.version for r in list_submissions(session, bank=CCB)] == [2, 1]
        assert get_submission(session, submission_id=first.id, bank=CCB, with_content=True).content == documents.PDF
        table = bank_inspections(session, year=2026, now=datetime(2026, 11, 27, 2, 0, tzinfo=UTC),
                                 knowledge=knowledge, calendar=get_calendar(), banks=[CCB])[0]
    september = next(p for p in table.periods if p.period.key == "2026-09")
    assert september.status is InspectionStatus.on_time
    assert september.received.first_submitted_at == SEPTEMBER_DUE - timedelta(hours=1)
    assert (september.received.latest_id, september.received.latest_version) == (second.id, 2)


@pytest.mark.parametrize("period, at, refusal, code", [
    ("2026-13", datetime(2026, 11, 27, tzinfo=UTC), InvalidPeriod, "inspection_period_no_month"),
    ("2026-Q5", datetime(2026, 11, 27, tzinfo=UTC), InvalidPeriod, "inspection_period_no_quarter"),
    ("2026-11", datetime(2026, 11, 27, tzinfo=UTC), PeriodNotEnded, "inspection_period_not_ended"),
    ("2026", datetime(2026, 12, 31, 15, 59, tzinfo=UTC), PeriodNotEnded, "inspection_period_not_ended"),
])
def test_a_refused_period_saves_nothing(engine, knowledge, period, at, refusal, code):
    with Session(engine) as session, pytest.raises(refusal) as refused:
        send(session, period=period, at=at, knowledge=knowledge)
    assert refused.value.code == code
    assert count(engine) == 0


def test_the_refusal_of_a_running_period_says_when_it_ends(knowledge, engine):
    with Session(engine) as session, pytest.raises(PeriodNotEnded) as refused:
        send(session, period="2026-Q4", at=datetime(2026, 11, 27, tzinfo=UTC), knowledge=knowledge)
    assert knowledge.messages.explain(refused.value) == \
        "2026年第四季度尚未结束（截至 2026-12-31），自查总结须在当期结束后报送（第三十八条）"


def test_the_year_can_be_sent_from_the_first_minute_of_the_next(engine, knowledge):
    with Session(engine) as session:
        row = send(session, period="2026", at=datetime(2026, 12, 31, 16, 0, tzinfo=UTC), knowledge=knowledge)
    assert (row.due_provisional, row.late) == (True, False)  # due in 2027, whose calendar is not known


def test_another_banks_summary_is_not_found(engine, knowledge):
    with Session(engine) as session:
        row = send(session, bank=ICBC, at=SEPTEMBER_DUE, knowledge=knowledge)
        session.commit()
        with pytest.raises(SubmissionNotFound) as refused:
            get_submission(session, submission_id=row.id, bank=CCB)
        with pytest.raises(SubmissionNotFound) as missing:
            get_submission(session, submission_id=row.id + 100, bank=CCB)
        assert knowledge.messages.explain(refused.value).replace(str(row.id), "N") == \
            knowledge.messages.explain(missing.value).replace(str(row.id + 100), "N")
        assert list_submissions(session, bank=CCB) == []
        assert get_submission(session, submission_id=row.id, bank=None).bank == ICBC  # the city agency sees it


def test_statuses_and_punctuality_of_a_year(engine, knowledge):
    now = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # 2026-11-04 10:00: October was due yesterday 17:00
    with Session(engine) as session:
        send(session, period="2026-08", at=datetime(2026, 9, 3, 9, 0, tzinfo=UTC), knowledge=knowledge)  # 17:00 sharp
        send(session, period="2026-09", at=SEPTEMBER_DUE + timedelta(seconds=1), knowledge=knowledge)
        send(session, period="2026-Q3", at=SEPTEMBER_DUE - timedelta(days=3), knowledge=knowledge)
        send(session, bank=ICBC, period="2026-10", at=now, knowledge=knowledge)
        session.commit()
        banks = bank_inspections(session, year=2026, now=now, knowledge=knowledge, calendar=get_calendar())
        ccb = next(b for b in banks if b.bank == CCB)
        status = {p.period.key: p.status for p in ccb.periods}
        # Every partner bank of knowledge/banks.yml, each with the periods ended by now (10 months, 3 quarters, H1)
        assert [b.bank for b in banks] == [b.name for b in knowledge.banks]
        assert list(status) == ["2026-01", "2026-02", "2026-03", "2026-Q1", "2026-04", "2026-05", "2026-06",
                                "2026-Q2", "2026-H1", "2026-07", "2026-08", "2026-09", "2026-Q3", "2026-10"]
        assert (status["2026-08"], status["2026-09"], status["2026-Q3"], status["2026-10"]) == \
            (InspectionStatus.on_time, InspectionStatus.late, InspectionStatus.on_time, InspectionStatus.missing)
        assert status["2026-01"] is InspectionStatus.missing
        figure = punctuality(session, bank=CCB, year=2026, now=now, knowledge=knowledge, calendar=get_calendar())
        assert (figure.due, figure.on_time, figure.late, figure.missing) == (14, 2, 1, 11)
        assert figure.rate == pytest.approx(2 / 14)
        icbc = punctuality(session, bank=ICBC, year=2026, now=now, knowledge=knowledge, calendar=get_calendar())
        assert (icbc.on_time, icbc.late) == (0, 1)


def test_a_period_ended_but_not_yet_due_is_not_counted(engine, knowledge):
    now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # October ended, due 2026-11-03 17:00
    with Session(engine) as session:
        table = bank_inspections(session, year=2026, now=now, knowledge=knowledge, calendar=get_calendar(),
                                 banks=[CCB])[0]
        october = next(p for p in table.periods if p.period.key == "2026-10")
        assert october.status is InspectionStatus.not_due
        assert table.punctuality.due == 13  # 9 months, 3 quarters, H1
        send(session, period="2026-10", at=now, knowledge=knowledge)
        table = bank_inspections(session, year=2026, now=now, knowledge=knowledge, calendar=get_calendar(),
                                 banks=[CCB])[0]
    assert next(p for p in table.periods if p.period.key == "2026-10").status is InspectionStatus.on_time
    assert (table.punctuality.due, table.punctuality.on_time) == (13, 0)


def test_nothing_due_gives_no_rate(engine, knowledge):
    with Session(engine) as session:
        figure = punctuality(session, bank=CCB, year=2027, now=datetime(2026, 11, 27, tzinfo=UTC),
                             knowledge=knowledge, calendar=get_calendar())
    assert (figure.due, figure.rate) == (0, None)


def test_two_uploads_of_one_bank_at_once_take_versions_one_after_the_other(pg_engine, knowledge, monkeypatch):
    import threading

    import bot.banks.keys
    from bot.banks import register_bank
    from tests.web.api.support import fast_hasher

    monkeypatch.setattr(bot.banks.keys, "_hasher", fast_hasher)
    with Session(pg_engine) as session:
        register_bank(session, bank=CCB, webhook_url="https://ccb.example/", knowledge=knowledge, now=SEPTEMBER_DUE)
        session.commit()
    first = Session(pg_engine)
    send(first, at=SEPTEMBER_DUE, knowledge=knowledge)  # holds the bank's row until it commits
    versions: list[int] = []

    def second() -> None:
        with Session(pg_engine) as session:
            versions.append(send(session, at=SEPTEMBER_DUE, knowledge=knowledge).version)
            session.commit()

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # waiting for the first upload's transaction
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert versions == [2]
    with Session(pg_engine) as session:
        assert sorted(session.exec(select(SelfInspection.version)).all()) == [1, 2]
