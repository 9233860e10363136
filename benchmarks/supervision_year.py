"""One year of supervision records for the console benchmark, next to its ledger of tickets.

`build_year` turns a generated ledger (benchmarks/console.py) into the rows the supervision pages
read, at the scale the Measures ask for, over the 365 days before the run's clock:

- on-site inspections (bot/inspections, Art. 29): every district inspects 3 or 4 of its outlets a
  week (all of them where it has only 3), on working days, by two or three staff; a few weeks
  have one too few, some records come in late, about one finding in twelve is 不符合 with its
  rectification and a recheck day;
- self-inspection summaries (bot/self_inspections, Art. 38): every bank's monthly, quarterly,
  half-year and yearly summaries of the periods due in that year, a few late, some sent twice;
- satisfaction callbacks (bot/satisfaction, Art. 25, 40): one for each verified complaint whose
  citizen agreed to be contacted, by Telegram or by phone; most answered, some never, the last
  days' still open;
- investigation reports (bot/investigations, Art. 28): one for each complaint verified in that
  year, its verdict the case's, most approved by the city, the last days' awaiting review.

Dissatisfied answers do not reopen their tickets here: the ledger's states stay as generated.
The rows are plain tuples in the order of the ``*_COLUMNS`` constants, for `bulk_insert`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.knowledge import Knowledge
from bot.workdays import WorkdayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR_DAYS = 365
DISTRICT_USERS = "bench_district_{index}"  # who records a district's inspections and reports
CITY_USER = "bench_city"
INSPECTORS = ("王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄强")
FACTS = "经现场核查、调阅监控录像并询问当班工作人员，投诉反映的情况与实际相符程度已核实。"
RESPONSIBILITY = "当班窗口工作人员负主要责任，网点负责人负管理责任。"
OUTLET_HANDLING = "责令网点限期整改，并在全行通报。"
STAFF_HANDLING = "对责任人进行批评教育并重新培训。"
RECTIFICATION = "限期10个工作日内整改，整改情况书面报区社保经办机构。"
FINDING_NOTE = "现场检查发现该项不符合要求。"
RETURN_COMMENT = "请补充监控录像调阅情况。"
COMMENT = "处理及时，态度很好。"
DOCUMENT_BYTES = 256 * 1024  # a summary's size: a few pages of text with a table or two

INSPECTION_COLUMNS = ("id", "district", "bank", "outlet", "inspected_on", "rectification", "recheck_on", "staff",
                      "findings", "recorded_by", "recorded_at", "record_due", "late")
SUBMISSION_COLUMNS = ("id", "bank", "period", "period_kind", "filename", "media_type", "version", "size_bytes",
                      "sha256", "content", "submitted_at", "due_at", "due_provisional", "late")
CALLBACK_COLUMNS = ("id", "ticket_id", "round", "via", "token", "state", "created_at", "asked_at", "reminded_at",
                    "answer", "comment", "answered_at", "recorded_by", "attempts", "closed_at", "reopened",
                    "needs_decision")
REPORT_COLUMNS = ("id", "investigated_on", "investigators", "facts", "verdict", "responsibility", "outlet_handling",
                  "staff_handling", "case_id", "ticket_id", "district", "filed_by", "filed_at", "revision", "review",
                  "reviewed_by", "reviewed_at", "review_comment")


@dataclass
class YearOfSupervision:
    inspections: list[tuple] = field(default_factory=list)
    submissions: list[tuple] = field(default_factory=list)
    callbacks: list[tuple] = field(default_factory=list)
    reports: list[tuple] = field(default_factory=list)


def _local(at: datetime) -> datetime:
    return at.astimezone(SHANGHAI)


def _at(day: date, hour: float) -> datetime:
    return (datetime.combine(day, time(0, 0), SHANGHAI) + timedelta(hours=hour)).astimezone(UTC)


def _working_days(calendar: WorkdayCalendar, monday: date, today: date) -> list[date]:
    days = [monday + timedelta(days=i) for i in range(7)]
    return [d for d in days if d <= today and (calendar.is_workday(d) if calendar.is_workday(d) is not None
                                               else d.weekday() < 5)]


def inspections(*, now: datetime, knowledge: Knowledge, calendar: WorkdayCalendar,
                rng: random.Random) -> list[tuple]:
    """3 or 4 outlets a week per district (a week in twenty one too few), each on a working day."""
    today = _local(now).date()
    first = today - timedelta(days=YEAR_DAYS)
    minimum = knowledge.rules.deadlines.district_inspection.min_outlets_per_week
    record_within = knowledge.rules.deadlines.district_inspection.record_within_working_days
    items = knowledge.inspections.items
    outlets: dict[str, list[tuple[str, str]]] = {}
    for bank in knowledge.banks:
        for outlet in bank.outlets.items:
            outlets.setdefault(outlet.district, []).append((bank.name, outlet.name))
    rows: list[tuple] = []
    due_cache: dict[date, date] = {}
    monday = first - timedelta(days=first.weekday())
    while monday <= today:
        days = _working_days(calendar, monday, today)
        for index, (district, places) in enumerate(sorted(outlets.items())):
            if not days:
                continue
            wanted = min(len(places), minimum + (rng.random() < 0.3))
            if rng.random() < 0.05:
                wanted -= 1
            for bank, outlet in rng.sample(places, wanted):
                day = days[rng.randrange(len(days))]
                if day < first:
                    continue
                if day not in due_cache:
                    due_cache[day] = calendar.add_working_days(day, record_within).due
                due = due_cache[day]
                recorded = _at(day, 16 + rng.random() * 2) + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5)))
                recorded = min(recorded, now)
                findings = []
                for item in items:
                    compliant = rng.random() >= 1 / 12
                    findings.append({"code": item.code, "article": item.article, "label": item.label,
                                     "compliant": compliant, "note": "" if compliant else FINDING_NOTE})
                failed = any(not f["compliant"] for f in findings)
                rows.append((len(rows) + 1, district, bank, outlet, day, RECTIFICATION if failed else None,
                             day + timedelta(days=21) if failed else None,
                             rng.sample(INSPECTORS, rng.choice((2, 2, 3))), findings,
                             DISTRICT_USERS.format(index=index), recorded, due, _local(recorded).date() > due))
        monday += timedelta(days=7)
    return rows


def submissions(*, now: datetime, knowledge: Knowledge, calendar: WorkdayCalendar,
                rng: random.Random) -> list[tuple]:
    """Every bank's summaries of the periods due in the year: on time mostly, 1 in 12 late, 1 in 10 sent twice."""
    from bot.self_inspections.due import due_of, required_kinds
    from bot.self_inspections.periods import periods_of_year

    local = _local(now)
    first = now - timedelta(days=YEAR_DAYS)
    kinds = required_kinds(knowledge)
    periods = [p for year in (local.year - 1, local.year) for p in periods_of_year(year, kinds)]
    dues = [due_of(p, knowledge=knowledge, calendar=calendar) for p in periods]
    dues = [d for d in dues if first <= d.due_at <= now]
    body = random.Random(rng.random()).randbytes(DOCUMENT_BYTES)
    rows: list[tuple] = []
    for bank in knowledge.banks:
        for due in dues:
            late = rng.random() < 1 / 12
            sent = due.due_at + timedelta(hours=rng.uniform(2, 120)) if late \
                else due.due_at - timedelta(hours=rng.uniform(1, 240))
            versions = [sent]
            if rng.random() < 0.1:
                versions.append(sent + timedelta(hours=rng.uniform(4, 96)))
            for version, at in enumerate(versions, start=1):
                at = min(at, now)
                content = b"%PDF-1.7\n%" + f"{bank.name} {due.period.key} v{version}".encode() + b"\n" + body
                rows.append((len(rows) + 1, bank.name, due.period.key, due.period.kind.value,
                             f"{due.period.key}.pdf", "application/pdf", version, len(content),
                             hashlib.sha256(content).hexdigest(), content, at, due.due_at, due.provisional,
                             at > due.due_at))
    return rows


def callbacks_and_reports(cases: list[tuple], tickets: list[tuple], *, now: datetime, rng: random.Random,
                          districts: list[str]) -> tuple[list[tuple], list[tuple]]:
    """A callback per verified complaint with consent, a report per verified complaint, of the last year.

    `cases` and `tickets` are rows in the order of benchmarks.console's CASE_COLUMNS and TICKET_COLUMNS.
    """
    first = now - timedelta(days=YEAR_DAYS)
    transfer = {t[7]: t for t in tickets if t[1] == "transfer"}
    district_index = {name: i for i, name in enumerate(sorted(districts))}
    callbacks: list[tuple] = []
    reports: list[tuple] = []
    for case in cases:
        (case_id, kind, _intent, _bank, _outlet, district, _channel, _desc, _name, phone, consent, citizen_ref,
         received, verification, verified_at, _by) = case
        if kind != "complaint" or verified_at is None or verification == "received" or verified_at < first:
            continue
        ticket = transfer[case_id]
        investigated = max(_local(received).date(), _local(verified_at).date() - timedelta(days=rng.choice((0, 1, 2))))
        review, reviewed_by, reviewed_at, comment = "submitted", None, None, None
        age = now - verified_at
        if age > timedelta(days=5) or rng.random() < 0.4:
            reviewed_at = min(now, verified_at + timedelta(hours=rng.uniform(4, 96)))
            roll = rng.random()
            if roll < 0.95:
                review, reviewed_by = "approved", CITY_USER
            elif roll < 0.97:
                review, reviewed_by, comment = "returned", CITY_USER, RETURN_COMMENT
            else:  # still waiting for the city, a few for weeks
                reviewed_at = None
        found_true = verification == "found_true"
        reports.append((len(reports) + 1, investigated, rng.sample(INSPECTORS, 2), FACTS, verification,
                        RESPONSIBILITY if found_true else None, OUTLET_HANDLING if found_true else None,
                        STAFF_HANDLING if found_true else None, case_id, ticket[0], district,
                        DISTRICT_USERS.format(index=district_index.get(district, 0)), verified_at, 1, review,
                        reviewed_by, reviewed_at, comment))
        if not consent or not (citizen_ref or phone):
            continue
        via = "telegram" if citizen_ref else "phone"
        created = verified_at
        asked = created if via == "telegram" else None
        state, reminded, answer, answered, recorded_by, attempts, closed, text = \
            "asked" if via == "telegram" else "pending", None, None, None, None, 0, None, None
        if age > timedelta(days=3) or rng.random() < 0.5:
            roll = rng.random()
            if roll < 0.88:
                state = "answered"
                answer = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), (72, 18, 10))[0]
                answered = min(now, created + timedelta(hours=rng.uniform(0.2, 70)))
                if via == "phone":
                    recorded_by, attempts = "bench_operator", rng.choice((0, 0, 0, 1, 2))
                text = COMMENT if answer == "satisfied" and rng.random() < 0.2 else None
            elif age > timedelta(days=5):
                state, closed = "no_answer", created + timedelta(days=5)
                attempts = 3 if via == "phone" else 0
                reminded = created + timedelta(days=3) if via == "telegram" else None
            else:
                state = "reminded" if via == "telegram" else "pending"
                reminded = created + timedelta(days=3) if via == "telegram" else None
        callbacks.append((len(callbacks) + 1, ticket[0], 1, via, f"{rng.getrandbits(192):048x}"[:43], state, created,
                          asked, reminded, answer, text, answered, recorded_by, attempts, closed, False, False))
    return callbacks, reports


def build_year(cases: list[tuple], tickets: list[tuple], *, now: datetime, knowledge: Knowledge,
               calendar: WorkdayCalendar, seed: int = 2027) -> YearOfSupervision:
    rng = random.Random(seed)
    year = YearOfSupervision()
    year.inspections = inspections(now=now, knowledge=knowledge, calendar=calendar, rng=rng)
    year.submissions = submissions(now=now, knowledge=knowledge, calendar=calendar, rng=rng)
    year.callbacks, year.reports = callbacks_and_reports(cases, tickets, now=now, rng=rng,
                                                         districts=[d.name for d in knowledge.districts])
    return year
