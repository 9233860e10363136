"""Markdown and JSON renderings of a report.

JSON: English keys in a fixed order (the dataclass fields of ``bot.reports.model``), Chinese labels
as values, dates in ISO 8601 (times with their +08:00 offset). ``schema`` names the layout.
Markdown: Chinese headings and tables, for reading and for pasting into a notice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.knowledge.models import chinese_number

from . import labels
from .model import Counts, Report

SCHEMA = "sbk.supervision-report/1"
SECTION_NUMBERS = "一二三四五六七八九十"


def report_json(report: Report) -> dict[str, Any]:
    return {"schema": SCHEMA, **report.as_dict()}


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- Markdown helpers


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    rows = list(rows)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def articles_label(articles: Iterable[int]) -> str:
    return "、".join(f"第{chinese_number(a)}条" for a in articles)


def _counts(c: Counts) -> list[int]:
    return [c.total, c.found_true, c.not_true, c.pending]


COUNT_HEADERS = ["受理", "查实", "不实", "待核查"]


def due_note(row) -> str:  # noqa: ANN001  (SelfInspectionRow)
    notes = []
    if row.moved:
        notes.append(f"{row.nominal_date.month}月{row.nominal_date.day}日非工作日，顺延至下一工作日")
    if row.provisional:
        notes.append("暂定：该年官方节假日安排尚未配置，按周末推算")
    return "；".join(notes)


def due_text(row) -> str:  # noqa: ANN001
    return f"{row.due_date.isoformat()} {row.due_time}"


# --------------------------------------------------------------------------- Markdown


def render_markdown(report: Report) -> str:
    out: list[str] = [f"# {report.title}", ""]
    out += [
        f"- 统计期间：{report.first_day.isoformat()} 至 {report.last_day.isoformat()}（{report.timezone}）",
        f"- 逾期工单：{report.as_of_label}",
        f"- 生成时间：{report.generated_at.isoformat()}",
        "",
    ]
    out += [f"> {note}" for note in report.notes] + [""]
    sections = _sections(report)
    for n, (title, lines) in enumerate(sections):
        out += [f"## {SECTION_NUMBERS[n]}、{title}", ""] + lines + [""]
    return "\n".join(out).rstrip() + "\n"


def _sections(report: Report) -> list[tuple[str, list[str]]]:
    sections = [
        ("汇总（按合作银行）", _summary(report)),
        ("投诉分类", _types(report)),
        ("服务网点", _outlets(report)),
        ("褒奖", _praise(report)),
        ("规则触发", _firings(report)),
        (f"逾期工单（{report.as_of_label}）", _overdue(report)),
        ("自查报告上报时间（第三十八条）", _inspection(report)),
    ]
    if report.assessment is not None:
        sections.append(("年度综合考评（第四十一条、第四十二条、第四十九条）", _assessment(report)))
    return sections


def _summary(report: Report) -> list[str]:
    headers = ["合作银行", "投诉受理", "投诉查实", "投诉不实", "投诉待核查", "褒奖受理", "褒奖查实", "褒奖不实",
               "褒奖待核查", "逾期工单", "期内未按期办结", "正式触发", "预警"]
    rows = [[b.bank, *_counts(b.complaints), *_counts(b.praise), b.overdue_tickets, b.missed_tickets,
             b.firings_official, b.firings_warning] for b in report.banks]
    u = report.unassigned
    if u["complaints"].total or u["praise"].total:
        rows.append([labels.UNASSIGNED_BANK, *_counts(u["complaints"]), *_counts(u["praise"]), "", "", "", ""])
    t = report.totals
    rows.append(["合计", *_counts(t["complaints"]), *_counts(t["praise"]), t["overdue_tickets"], t["missed_tickets"],
                 t["firings_official"], t["firings_warning"]])
    return _table(headers, rows)


def _types(report: Report) -> list[str]:
    lines = ["单元格：受理数（其中查实数）。第四十五条按查实的同类投诉计数。", ""]
    headers = ["合作银行", *[t["label"] for t in report.complaint_types], "合计"]
    rows = []
    for b in report.banks:
        rows.append([b.bank, *[f"{t.total}（{t.found_true}）" for t in b.complaint_types],
                     f"{b.complaints.total}（{b.complaints.found_true}）"])
    lines += _table(headers, rows)
    detail = [(o, t) for o in report.outlets for t in o.complaint_types if t.total]
    if detail:
        lines += ["", "### 按网点", ""]
        lines += _table(["合作银行", "网点", "投诉类型", *COUNT_HEADERS],
                        [[o.bank, o.outlet_label, t.label, t.total, t.found_true, t.not_true, t.pending]
                         for o, t in detail])
    return lines


def _outlets(report: Report) -> list[str]:
    active = [o for o in report.outlets if o.complaints.total or o.praise.total]
    if not active:
        return ["本期各服务网点无投诉、褒奖记录。"]
    lines = _table(["合作银行", "网点", "区（市）", "投诉受理", "投诉查实", "投诉不实", "投诉待核查",
                    "褒奖受理", "褒奖查实"],
                   [[o.bank, o.outlet_label, o.district, *_counts(o.complaints), o.praise.total, o.praise.found_true]
                    for o in active])
    quiet = len(report.outlets) - len(active)
    if quiet:
        lines += ["", f"其余 {quiet} 个网点本期无记录（见 JSON 和 XLSX 的完整列表）。"]
    return lines


def _praise(report: Report) -> list[str]:
    lines = _table(["合作银行", *COUNT_HEADERS], [[b.bank, *_counts(b.praise)] for b in report.banks])
    praised = [o for o in report.outlets if o.praise.total]
    if praised:
        lines += ["", "### 按网点", ""]
        lines += _table(["合作银行", "网点", *COUNT_HEADERS], [[o.bank, o.outlet_label, *_counts(o.praise)] for o in praised])
    return lines


def _firings(report: Report) -> list[str]:
    lines: list[str] = []
    for level, title in (("official", "正式触发（查实，第五十条）"), ("warning", "预警（已受理未查实，运营功能）")):
        rows = [f for f in report.firings if (f.level == "official") == (level == "official")]
        lines += [f"### {title}", ""]
        if not rows:
            lines += ["本期无。", ""]
            continue
        lines += _table(["触发时间", "规则", "条款", "合作银行", "对象", "期间", "次数", "后果", "下一步"],
                        [[f.fired_at.strftime("%Y-%m-%d %H:%M"), f.rule_label, articles_label(f.articles), f.bank,
                          f.subject, f.period, f.count, f.consequence,
                          "\n".join(f"{n}. {s}" for n, s in enumerate(f.next_steps, 1))] for f in rows])
        lines.append("")
    return lines[:-1]


def _overdue(report: Report) -> list[str]:
    if not report.overdue:
        return ["无逾期未办结的转办单、督办单。"]
    return ["依据第四十八条按月通报；逾期的转办单升级为督办单。", ""] + _table(
        ["工单号", "类型", "合作银行", "网点", "创建日期", "到期日", "逾期天数", "状态"],
        [[t.number, t.kind_label, t.bank, t.outlet, t.created_on.isoformat(), t.due_date.isoformat(), t.days_overdue,
          t.state_label] for t in report.overdue])


def _inspection(report: Report) -> list[str]:
    return ["自查总结上报时间：当期次月3日17:00前，遇节假日顺延至工作日17:00前（Asia/Shanghai）。", ""] + _table(
        ["自查期间", "类型", "截止时间", "说明"],
        [[r.period_label, r.period_kind_label, due_text(r), due_note(r)] for r in report.self_inspection])


def _assessment(report: Report) -> list[str]:
    rows = report.assessment or []
    basis = report.assessment_basis or {}
    lines = _table(["合作银行", "得分", "等级", "自动不合格", "暂停新增发卡", "未评分项目"],
                   [[a.bank, a.score if a.score is not None else "—", a.grade_label,
                     "；".join(f"{e.label}（{articles_label([e.article])}，{e.source_label}）" for e in a.automatic_fail),
                     "；".join(f"{s.effect}（{articles_label([s.article])}）" for s in a.suspensions) or "否",
                     len(a.missing_items) or ""] for a in rows])
    if rows:
        items = rows[0].items
        lines += ["", "### 各项得分", "", "单元格：得分（权重）；“—”为未评分。", ""]
        lines += _table(["合作银行", *[f"（{i.item}）{i.label}" for i in items], "加分"],
                        [[a.bank, *[f"{'—' if i.points is None else f'{i.points:g}'}（{i.weight:g}）" for i in a.items],
                          sum(b.points for b in a.bonuses) or ""] for a in rows])
        lines += ["", "### 台账事实（只计查实，第五十条）", ""]
        lines += _table(["合作银行", "查实投诉", "查实褒奖", "同类投诉约谈（月）", "月投诉5次及以上（月）", "强制或诱导购买",
                         "未按期办结工单", "最长逾期天数", "全市通报表扬候选"],
                        [[a.bank, a.ledger.complaints_found_true, a.ledger.praise_found_true, a.ledger.same_type_months,
                          a.ledger.volume_months, a.ledger.forced_selling_cases, a.ledger.missed_tickets,
                          a.ledger.max_days_overdue, a.ledger.city_commendation_candidate] for a in rows])
    lines += ["", "评分依据：权重来自 knowledge/rules.yml（运营配置）；各项得分由市社会保险经办机构评定。"]
    if not basis.get("ledger_points_confirmed"):
        lines.append(f"台账折算分值：{basis.get('ledger_points_note') or '未配置'}")
    return lines
