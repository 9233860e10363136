"""Markdown and JSON renderings of a report.

JSON: English keys in a fixed order (the dataclass fields of ``bot.reports.model``), Chinese labels
as values, dates in ISO 8601 (times with their +08:00 offset). ``schema`` names the layout.
Markdown: Chinese headings and tables, for reading and for pasting into a notice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.knowledge import Knowledge
from bot.knowledge.models import chinese_number

from . import labels
from .model import AssessmentRow, Counts, FailEvent, ItemScore, RateCell, Report, SuspensionFlag, ThreeRatesRow
from .periods import as_local

SCHEMA = "sbk.supervision-report/1"
# Punctuation joining the items of one cell: articles and lists (、), notes and events (；).
LIST_SEPARATOR = "、"
NOTE_SEPARATOR = "；"


def report_json(report: Report) -> dict[str, Any]:
    return {"schema": SCHEMA, **report.as_dict()}


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- shared with the workbook


def yes_no(knowledge: Knowledge, value: bool) -> str:
    return knowledge.messages.text("report_yes" if value else "report_no")


def articles_label(knowledge: Knowledge, articles: Iterable[int]) -> str:
    return LIST_SEPARATOR.join(knowledge.messages.render("report_article", number=chinese_number(a)) for a in articles)


def count_headers(knowledge: Knowledge) -> list[str]:
    """The four counts of cases: received, found true, not true, pending."""
    text = knowledge.messages.text
    findings = ("found_true", "not_true", "received")
    return [text("report_count_total"), *(labels.verification(knowledge, v) for v in findings)]


def due_note(knowledge: Knowledge, row) -> str:  # noqa: ANN001  (SelfInspectionRow)
    render = knowledge.messages.render
    notes = []
    if row.moved:
        notes.append(render("report_due_moved", month=row.nominal_date.month, day=row.nominal_date.day))
    if row.provisional:
        notes.append(render("report_due_provisional"))
    return NOTE_SEPARATOR.join(notes)


def due_text(row) -> str:  # noqa: ANN001
    return f"{row.due_date.isoformat()} {row.due_time}"


def fail_event(knowledge: Knowledge, event: FailEvent) -> str:
    return knowledge.messages.render("report_fail_event", label=event.label,
                                     articles=articles_label(knowledge, [event.article]), source=event.source_label)


def suspension(knowledge: Knowledge, flag: SuspensionFlag) -> str:
    return knowledge.messages.render("report_suspension", effect=flag.effect,
                                     articles=articles_label(knowledge, [flag.article]))


# --------------------------------------------------------------------------- Markdown helpers


def _cell(knowledge: Knowledge, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(knowledge, value)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _table(knowledge: Knowledge, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    rows = list(rows)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(knowledge, v) for v in row) + " |" for row in rows]
    return out


def _counts(c: Counts) -> list[int]:
    return [c.total, c.found_true, c.not_true, c.pending]


def _counted(knowledge: Knowledge, key: str) -> list[str]:
    """"投诉受理", "投诉查实" …: one heading per count of cases for complaints or praise."""
    return [knowledge.messages.render(key, count=c) for c in count_headers(knowledge)]


# --------------------------------------------------------------------------- Markdown


def render_markdown(report: Report, *, knowledge: Knowledge) -> str:
    m = knowledge.messages
    period = m.render("report_period_range", first_day=report.first_day.isoformat(),
                      last_day=report.last_day.isoformat(), timezone=report.timezone)
    facts = [("report_about_period", period), ("report_about_as_of", report.as_of_label),
             ("report_about_generated", report.generated_at.isoformat())]
    out: list[str] = [f"# {report.title}", ""]
    out += [f"- {m.render('report_fact', field=m.text(field), value=value)}" for field, value in facts] + [""]
    out += [f"> {note}" for note in report.notes] + [""]
    sections = _sections(report, knowledge)
    for n, (title, lines) in enumerate(sections, 1):
        out += [f"## {m.render('report_section', number=chinese_number(n), title=title)}", ""] + lines + [""]
    return "\n".join(out).rstrip() + "\n"


def _sections(report: Report, knowledge: Knowledge) -> list[tuple[str, list[str]]]:
    text = knowledge.messages.text
    sections = [
        (text("report_section_summary"), _summary(report, knowledge)),
        (text("report_section_types"), _types(report, knowledge)),
        (text("report_section_outlets"), _outlets(report, knowledge)),
        (text("report_section_praise"), _praise(report, knowledge)),
        (text("report_section_firings"), _firings(report, knowledge)),
        (knowledge.messages.render("report_section_overdue", as_of=report.as_of_label), _overdue(report, knowledge)),
        (text("report_section_inspection"), _inspection(report, knowledge)),
        (text("report_section_district_inspections"), _district_inspections(report, knowledge)),
        (text("report_section_satisfaction"), _satisfaction(report, knowledge)),
        (text("report_section_three_rates"), _three_rates(report, knowledge)),
    ]
    if report.assessment is not None:
        sections.append((text("report_section_assessment"), _assessment(report, knowledge)))
    return sections


def _summary(report: Report, knowledge: Knowledge) -> list[str]:
    text = knowledge.messages.text
    headers = [text("report_col_bank"), *_counted(knowledge, "report_col_complaints"),
               *_counted(knowledge, "report_col_praise"), text("report_col_overdue_tickets"),
               text("report_col_missed_tickets"), text("report_col_firings_official"), text("report_col_firings_warning")]
    rows = [[b.bank, *_counts(b.complaints), *_counts(b.praise), b.overdue_tickets, b.missed_tickets,
             b.firings_official, b.firings_warning] for b in report.banks]
    u = report.unassigned
    if u["complaints"].total or u["praise"].total:
        rows.append([text("report_unassigned_bank"), *_counts(u["complaints"]), *_counts(u["praise"]), "", "", "", ""])
    t = report.totals
    rows.append([text("report_total"), *_counts(t["complaints"]), *_counts(t["praise"]), t["overdue_tickets"],
                 t["missed_tickets"], t["firings_official"], t["firings_warning"]])
    return _table(knowledge, headers, rows)


def _types(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages

    def both(total: int, found_true: int) -> str:
        return m.render("report_count_with_found", total=total, found_true=found_true)

    lines = [m.text("report_types_note"), ""]
    headers = [m.text("report_col_bank"), *[t["label"] for t in report.complaint_types], m.text("report_total")]
    rows = []
    for b in report.banks:
        rows.append([b.bank, *[both(t.total, t.found_true) for t in b.complaint_types],
                     both(b.complaints.total, b.complaints.found_true)])
    lines += _table(knowledge, headers, rows)
    detail = [(o, t) for o in report.outlets for t in o.complaint_types if t.total]
    if detail:
        lines += ["", f"### {m.text('report_subsection_by_outlet')}", ""]
        lines += _table(knowledge, [m.text("report_col_bank"), m.text("report_col_outlet"),
                                    m.text("report_col_complaint_type"), *count_headers(knowledge)],
                        [[o.bank, o.outlet_label, t.label, t.total, t.found_true, t.not_true, t.pending]
                         for o, t in detail])
    return lines


def _outlets(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    active = [o for o in report.outlets if o.complaints.total or o.praise.total]
    if not active:
        return [m.text("report_outlets_none")]
    praise = _counted(knowledge, "report_col_praise")
    lines = _table(knowledge, [m.text("report_col_bank"), m.text("report_col_outlet"), m.text("report_col_district"),
                               *_counted(knowledge, "report_col_complaints"), *praise[:2]],
                   [[o.bank, o.outlet_label, o.district, *_counts(o.complaints), o.praise.total, o.praise.found_true]
                    for o in active])
    quiet = len(report.outlets) - len(active)
    if quiet:
        lines += ["", m.render("report_outlets_quiet", count=quiet)]
    return lines


def _praise(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    lines = _table(knowledge, [m.text("report_col_bank"), *count_headers(knowledge)],
                   [[b.bank, *_counts(b.praise)] for b in report.banks])
    praised = [o for o in report.outlets if o.praise.total]
    if praised:
        lines += ["", f"### {m.text('report_subsection_by_outlet')}", ""]
        lines += _table(knowledge, [m.text("report_col_bank"), m.text("report_col_outlet"), *count_headers(knowledge)],
                        [[o.bank, o.outlet_label, *_counts(o.praise)] for o in praised])
    return lines


def _firings(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    headers = [m.text(f"report_col_{c}") for c in ("fired_at", "rule", "articles", "bank", "subject", "period", "count",
                                                    "consequence", "next_steps")]
    lines: list[str] = []
    for level, title in (("official", m.text("report_firings_official")), ("warning", m.text("report_firings_warning"))):
        rows = [f for f in report.firings if (f.level == "official") == (level == "official")]
        lines += [f"### {title}", ""]
        if not rows:
            lines += [m.text("report_none_in_period"), ""]
            continue
        lines += _table(knowledge, headers,
                        [[f.fired_at.strftime("%Y-%m-%d %H:%M"), f.rule_label, articles_label(knowledge, f.articles),
                          f.bank, f.subject, f.period, f.count, f.consequence,
                          "\n".join(f"{n}. {s}" for n, s in enumerate(f.next_steps, 1))] for f in rows])
        lines.append("")
    return lines[:-1]


def _overdue(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    if not report.overdue:
        return [m.text("report_overdue_none")]
    headers = [m.text(f"report_col_{c}") for c in ("number", "kind", "bank", "outlet", "created_on", "due_date",
                                                    "days_overdue", "state")]
    return [m.text("report_overdue_note"), ""] + _table(
        knowledge, headers,
        [[t.number, t.kind_label, t.bank, t.outlet, t.created_on.isoformat(), t.due_date.isoformat(), t.days_overdue,
          t.state_label] for t in report.overdue])


def _inspection(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    headers = [m.text(f"report_col_{c}") for c in ("inspection_period", "inspection_kind", "due_at", "note")]
    return [m.text("report_inspection_note"), ""] + _table(
        knowledge, headers,
        [[r.period_label, r.period_kind_label, due_text(r), due_note(knowledge, r)] for r in report.self_inspection])


def _district_inspections(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    limit = knowledge.rules.deadlines.district_inspection
    headers = [m.text(f"report_col_{c}") for c in ("district", "weeks_met", "inspections", "late_recordings")]
    note = m.render("report_district_inspections_note", outlets=limit.min_outlets_per_week,
                    days=limit.record_within_working_days)
    return [note, ""] + _table(knowledge, headers, [
        [r.district, m.render("report_weeks_met", met=r.weeks_met, weeks=r.weeks), r.inspections, r.late]
        for r in report.district_inspections])


def _satisfaction(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    headers = [m.text(f"report_col_{c}") for c in ("bank", "answered", "satisfied", "basically_satisfied",
                                                    "dissatisfied", "satisfaction_rate")]
    return [m.text("report_satisfaction_note"), ""] + _table(
        knowledge, headers,
        [[r.bank, r.answered, r.satisfied, r.basically_satisfied, r.dissatisfied,
          m.render("report_rate", percent=f"{r.rate * 100:.1f}") if r.rate is not None else m.text("report_no_rate")]
         for r in report.satisfaction])


def rate_cell(knowledge: Knowledge, c: RateCell) -> str:
    """One rate of the 三率 table: "3/4（75.0%）", or "—" when there was nothing to count."""
    if c.rate is None:
        return knowledge.messages.text("report_no_rate")
    return knowledge.messages.render("report_rate_of", count=c.count, of=c.of, percent=f"{c.rate * 100:.1f}")


def _three_rates(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages

    def cell(c: RateCell) -> str:
        return rate_cell(knowledge, c)

    def table(first: str, rows: list[ThreeRatesRow]) -> list[str]:
        headers = [m.text(f"report_col_{c}") for c in (first, "response_rate", "completion_rate", "satisfaction_rate")]
        return _table(knowledge, headers, [[r.name or m.text("report_unassigned_district"), cell(r.response),
                                            cell(r.completion), cell(r.satisfaction)] for r in rows])

    days = knowledge.rules.ticket_due.acknowledgement.working_days
    return ([m.render("report_three_rates_note", days=days), ""] + table("bank", report.three_rates_banks)
            + ["", f"### {m.text('report_subsection_by_district')}", ""]
            + table("district", report.three_rates_districts))


def _item_source(item: ItemScore, knowledge: Knowledge) -> str:
    m = knowledge.messages
    source = item.source_label
    if item.source == "agency":
        by = (m.render("assessment_item_entered", by=item.entered_by,
                       at=as_local(item.entered_at).strftime("%Y-%m-%d %H:%M") if item.entered_at else "")
              if item.entered_by else m.text("assessment_item_from_file"))
        source = f"{source}（{by}）"
    if item.overridden and item.computed_percent is not None:
        source += NOTE_SEPARATOR + m.render("assessment_item_overridden", percent=f"{item.computed_percent:g}")
    return source


def _how_scored(rows: list[AssessmentRow], knowledge: Knowledge) -> list[str]:
    """Each bank's items with weight, percent, points and source, and the measures behind the computed ones."""
    m = knowledge.messages
    not_scored = m.text("assessment_item_not_scored")
    lines = ["", f"### {m.text('report_subsection_how_scored')}"]
    headers = [m.text(f"report_col_{c}") for c in ("assessment_item", "weight", "percent", "points", "source")]
    for a in rows:
        lines += ["", f"#### {a.bank}", ""]
        lines += _table(knowledge, headers, [
            [m.render("report_col_item", item=i.item, label=i.label), f"{i.weight:g}",
             not_scored if i.percent is None else f"{i.percent:g}%",
             m.text("report_no_score") if i.points is None else f"{i.points:.2f}", _item_source(i, knowledge)]
            for i in a.items])
        for i in a.items:
            for ms in i.measures:
                percent = not_scored if ms.percent is None else f"{ms.percent:.2f}%"
                line = m.render("assessment_measure_line", label=ms.label, weight=f"{ms.weight:g}", percent=percent,
                                summary=ms.summary)
                cases = [c.label for c in ms.cases if not c.counted]
                if ms.more_cases:
                    cases.append(m.render("assessment_more_cases", count=ms.more_cases))
                if cases:
                    line += "：" + NOTE_SEPARATOR.join(cases)
                lines.append(f"- {m.render('report_col_item', item=i.item, label=i.label)} {line}")
    return lines


def _assessment(report: Report, knowledge: Knowledge) -> list[str]:
    m = knowledge.messages
    rows = report.assessment or []
    basis = report.assessment_basis or {}
    no_score = m.text("report_no_score")
    headers = [m.text(f"report_col_{c}") for c in ("bank", "score", "grade", "automatic_fail", "suspended",
                                                    "missing_items")]
    lines = _table(knowledge, headers,
                   [[a.bank, a.score if a.score is not None else no_score, a.grade_label,
                     NOTE_SEPARATOR.join(fail_event(knowledge, e) for e in a.automatic_fail),
                     NOTE_SEPARATOR.join(suspension(knowledge, s) for s in a.suspensions) or m.text("report_no"),
                     len(a.missing_items) or ""] for a in rows])
    if rows:
        items = rows[0].items
        lines += ["", f"### {m.text('report_subsection_item_scores')}", "", m.text("report_item_scores_note"), ""]
        lines += _table(knowledge, [m.text("report_col_bank"),
                                    *[m.render("report_col_item", item=i.item, label=i.label) for i in items],
                                    m.text("report_col_bonus")],
                        [[a.bank, *[m.render("report_item_score",
                                             points=no_score if i.points is None else f"{i.points:g}",
                                             weight=f"{i.weight:g}") for i in a.items],
                          sum(b.points for b in a.bonuses) or ""] for a in rows])
        lines += _how_scored(rows, knowledge)
        lines += ["", f"### {m.text('report_subsection_ledger')}", ""]
        headers = [m.text(f"report_col_{c}") for c in (
            "bank", "complaints_found_true", "praise_found_true", "same_type_months", "volume_months",
            "forced_selling", "missed_tickets_year", "max_days_overdue", "commendation_candidate")]
        lines += _table(knowledge, headers,
                        [[a.bank, a.ledger.complaints_found_true, a.ledger.praise_found_true, a.ledger.same_type_months,
                          a.ledger.volume_months, a.ledger.forced_selling_cases, a.ledger.missed_tickets,
                          a.ledger.max_days_overdue, a.ledger.city_commendation_candidate] for a in rows])
    lines += ["", m.text("report_assessment_basis")]
    if not basis.get("ledger_points_confirmed"):
        note = basis.get("ledger_points_note") or m.text("report_not_configured")
        lines.append(m.render("report_ledger_points", note=note))
    return lines
