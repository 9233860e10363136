"""The agencies' workbook (openpyxl) and PNG charts (matplotlib) of a report.

One sheet per section, a styled and frozen header row, widths fitted to the content, and native
Excel bar charts (complaints per bank on 汇总, per type on 投诉分类). The PNGs are written beside the
workbook. Matplotlib needs a CJK font for Chinese labels; without one on the machine the charts use
the banks' codes and the intents' names instead, and a warning says so (no font is downloaded).
"""

from __future__ import annotations

import functools
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import labels
from .model import Report
from .render import articles_label, due_note, due_text

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_WIDTH = 60

SHEETS_MONTH = ("汇总", "网点", "投诉分类", "褒奖", "规则触发", "逾期工单", "自查报告", "说明")
SHEETS_YEAR = ("汇总", "网点", "投诉分类", "褒奖", "规则触发", "逾期工单", "自查报告", "年度考评", "说明")


def _excel(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; every time here is Asia/Shanghai
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return value


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(_excel(value)).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           total_rows: int = 0) -> Worksheet:
    """A sheet with one table from A1; the last ``total_rows`` rows are set in bold."""
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append([_excel(v) for v in row])
    for cell in ws[1]:
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(ws.iter_rows(min_row=2, max_row=ws.max_row), start=2):
        for cell in row:
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            if total_rows and r > ws.max_row - total_rows:
                cell.font = TOTAL_FONT
    for c, header in enumerate(headers, start=1):
        width = max([_width(header)] + [_width(row[c - 1]) for row in rows if c - 1 < len(row)])
        ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, max(8, width + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions if rows else None
    return ws


def _bar_chart(title: str, y_title: str, ws: Worksheet, *, cats: tuple[int, int, int], series: Sequence[int],
               first_row: int, last_row: int, anchor: str) -> BarChart:
    chart = BarChart()
    chart.type, chart.title, chart.y_axis.title = "col", title, y_title
    chart.height, chart.width = 9, 18
    for col in series:
        chart.add_data(Reference(ws, min_col=col, min_row=first_row - 1, max_row=last_row), titles_from_data=True)
    col, r1, r2 = cats
    chart.set_categories(Reference(ws, min_col=col, min_row=r1, max_row=r2))
    ws.add_chart(chart, anchor)
    return chart


def build_workbook(report: Report) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    counts = ["受理", "查实", "不实", "待核查"]

    # 汇总 + chart of complaints per bank
    rows = [[b.bank, b.code, b.complaints.total, b.complaints.found_true, b.complaints.not_true, b.complaints.pending,
             b.praise.total, b.praise.found_true, b.praise.not_true, b.praise.pending, b.overdue_tickets,
             b.missed_tickets, b.firings_official, b.firings_warning] for b in report.banks]
    n_banks = len(rows)
    u, t = report.unassigned, report.totals
    tail = []
    if u["complaints"].total or u["praise"].total:
        tail.append([labels.UNASSIGNED_BANK, None, *_c(u["complaints"]), *_c(u["praise"]), None, None, None, None])
    tail.append(["合计", None, *_c(t["complaints"]), *_c(t["praise"]), t["overdue_tickets"], t["missed_tickets"],
                 t["firings_official"], t["firings_warning"]])
    ws = _sheet(wb, "汇总", ["合作银行", "代码", *[f"投诉{c}" for c in counts], *[f"褒奖{c}" for c in counts], "逾期工单",
                           "期内未按期办结", "正式触发", "预警"], rows + tail, total_rows=1)
    _bar_chart(f"各合作银行投诉（{report.period_label}）", "件", ws, cats=(1, 2, n_banks + 1), series=(3, 4),
               first_row=2, last_row=n_banks + 1, anchor=f"A{ws.max_row + 3}")

    # 网点
    _sheet(wb, "网点", ["合作银行", "网点", "区（市）", "已配置网点", *[f"投诉{c}" for c in counts],
                       *[f"褒奖{c}" for c in counts]],
           [[o.bank, o.outlet_label, o.district, o.configured, *_c(o.complaints), *_c(o.praise)] for o in report.outlets])

    # 投诉分类: long table, per-type totals beside it, chart of complaints per type
    rows = [[b.bank, t.label, t.intent, t.total, t.found_true, t.not_true, t.pending]
            for b in report.banks for t in b.complaint_types]
    rows += [[o.bank + " / " + o.outlet_label, t.label, t.intent, t.total, t.found_true, t.not_true, t.pending]
             for o in report.outlets for t in o.complaint_types if t.total]
    ws = _sheet(wb, "投诉分类", ["合作银行 / 网点", "投诉类型", "意图", *counts], rows)
    col = 9
    ws.cell(row=1, column=col, value="投诉类型")
    ws.cell(row=1, column=col + 1, value="受理")
    ws.cell(row=1, column=col + 2, value="查实")
    for c in range(col, col + 3):
        cell = ws.cell(row=1, column=c)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center")
    for r, (label, total, found) in enumerate(_per_type(report), start=2):
        for c, value in enumerate((label, total, found), start=col):
            ws.cell(row=r, column=c, value=value).border = BORDER
    ws.column_dimensions[get_column_letter(col)].width = 20
    n_types = len(report.complaint_types)
    _bar_chart(f"各类投诉（{report.period_label}）", "件", ws, cats=(col, 2, n_types + 1), series=(col + 1, col + 2),
               first_row=2, last_row=n_types + 1, anchor=f"{get_column_letter(col)}{n_types + 4}")

    # 褒奖
    praise = [["合作银行", b.bank, None, *_c(b.praise)] for b in report.banks]
    praise += [["网点", o.bank, o.outlet_label, *_c(o.praise)] for o in report.outlets if o.praise.total]
    _sheet(wb, "褒奖", ["层级", "合作银行", "网点", *counts], praise)

    # 规则触发
    _sheet(wb, "规则触发", ["级别", "触发时间", "规则", "规则代码", "条款", "合作银行", "对象", "期间", "次数", "后果",
                          "下一步", "案件编号"],
           [[f.level_label, f.fired_at, f.rule_label, f.rule_id, articles_label(f.articles), f.bank, f.subject, f.period,
             f.count, f.consequence, [f"{n}. {s}" for n, s in enumerate(f.next_steps, 1)],
             "、".join(str(i) for i in f.case_ids)] for f in report.firings])

    # 逾期工单
    _sheet(wb, "逾期工单", ["工单号", "类型", "合作银行", "网点", "创建日期", "到期日", f"逾期天数（{report.as_of_label}）",
                          "状态", "已升级督办"],
           [[o.number, o.kind_label, o.bank, o.outlet, o.created_on, o.due_date, o.days_overdue, o.state_label,
             o.escalated] for o in report.overdue])

    # 自查报告
    _sheet(wb, "自查报告", ["自查期间", "类型", "截止时间", "截止日期", "顺延", "暂定", "说明", "条款"],
           [[r.period_label, r.period_kind_label, due_text(r), r.due_date, r.moved, r.provisional, due_note(r),
             articles_label([r.article])] for r in report.self_inspection])

    if report.assessment is not None:
        items = report.assessment[0].items if report.assessment else []
        _sheet(wb, "年度考评",
               ["合作银行", "得分", "等级", *[f"（{i.item}）{i.label}（{i.weight:g}）" for i in items], "加分",
                "台账扣分", "自动不合格", "暂停新增发卡", "暂停依据", "未评分项目", "查实投诉", "查实褒奖",
                "同类投诉约谈（月）", "月投诉5次及以上（月）", "强制或诱导购买", "未按期办结工单", "最长逾期天数",
                "全市通报表扬候选", "备注"],
               [[a.bank, a.score, a.grade_label, *[i.points for i in a.items], sum(b.points for b in a.bonuses),
                 sum(d.points for d in a.deductions),
                 [f"{e.label}（{articles_label([e.article])}，{e.source_label}）" for e in a.automatic_fail],
                 a.suspended, [f"{s.effect}（{articles_label([s.article])}）" for s in a.suspensions],
                 "、".join(a.missing_items), a.ledger.complaints_found_true, a.ledger.praise_found_true,
                 a.ledger.same_type_months, a.ledger.volume_months, a.ledger.forced_selling_cases,
                 a.ledger.missed_tickets, a.ledger.max_days_overdue, a.ledger.city_commendation_candidate, a.note]
                for a in report.assessment])

    about = [["报表", report.title], ["统计期间", f"{report.first_day} 至 {report.last_day}（{report.timezone}）"],
             ["逾期工单", report.as_of_label], ["生成时间", report.generated_at]]
    about += [["说明", note] for note in report.notes]
    _sheet(wb, "说明", ["项目", "内容"], about)
    return wb


def _c(c) -> list[int]:  # noqa: ANN001  (Counts)
    return [c.total, c.found_true, c.not_true, c.pending]


def _per_type(report: Report) -> list[tuple[str, int, int]]:
    out = []
    for i, t in enumerate(report.complaint_types):
        total = sum(b.complaint_types[i].total for b in report.banks)
        found = sum(b.complaint_types[i].found_true for b in report.banks)
        out.append((t["label"], total, found))
    return out


# --------------------------------------------------------------------------- PNG charts

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Sarasa Gothic SC", "Droid Sans Fallback", "AR PL UMing CN",
    "AR PL UKai CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "STHeiti",
)
_PROBE = "投诉银行"


def _register_packaged_cjk_font(font_manager) -> None:  # type: ignore[no-untyped-def]
    """Make the Noto Sans CJK SC font of the mplfonts package known to matplotlib.

    Servers rarely have a Chinese font installed; the package ships one, so the agencies'
    charts carry Chinese labels on any machine the project installs on.
    """
    try:
        import mplfonts
    except ImportError:
        return
    font = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if font.is_file():
        font_manager.fontManager.addfont(str(font))


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    _register_packaged_cjk_font(font_manager)
    fonts = font_manager.fontManager.ttflist
    by_name = {f.name: f for f in fonts}
    candidates = [by_name[n] for n in CJK_FAMILIES if n in by_name]
    candidates += [f for f in fonts if f not in candidates and any(k in f.name for k in ("CJK", "Hei", "Song", "Kai",
                                                                                           "Ming", "Han", "WenQuanYi"))]
    for entry in candidates:
        try:
            charmap = FT2Font(entry.fname).get_charmap()
        except Exception:  # noqa: BLE001  (an unreadable font file is just not a candidate)
            continue
        if all(ord(ch) in charmap for ch in _PROBE):
            return entry.name
    return None


def write_charts(report: Report, directory: Path | str, stem: str) -> list[Path]:
    """complaints per bank and per type as PNGs: ``<stem>-complaints-by-bank.png`` and
    ``<stem>-complaints-by-type.png`` in ``directory``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    font = cjk_font()
    if font is None:
        message = ("no CJK font found (e.g. Noto Sans CJK, WenQuanYi): the PNG charts label banks by code and "
                   "complaint types by intent name")
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    rc = {"font.family": [font, "DejaVu Sans"]} if font else {}

    bank_names = [b.bank if font else (b.code or b.bank) for b in report.banks]
    type_names = [t["label"] if font else t["intent"].split("/")[-1] for t in report.complaint_types]
    per_type = _per_type(report)
    charts = [
        ("complaints-by-bank", "各合作银行投诉" if font else "Complaints per bank", bank_names,
         [b.complaints.total for b in report.banks], [b.complaints.found_true for b in report.banks]),
        ("complaints-by-type", "各类投诉" if font else "Complaints per type", type_names,
         [p[1] for p in per_type], [p[2] for p in per_type]),
    ]
    legend = ("受理", "查实") if font else ("total", "found true")
    paths = []
    import matplotlib

    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        for name, title, cats, totals, found in charts:
            fig = Figure(figsize=(10, 5), dpi=100)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            xs = range(len(cats))
            ax.bar([x - 0.2 for x in xs], totals, width=0.4, label=legend[0], color="#5B9BD5")
            ax.bar([x + 0.2 for x in xs], found, width=0.4, label=legend[1], color="#C0504D")
            ax.set_xticks(list(xs), cats, rotation=30, ha="right")
            ax.set_title(f"{title} ({report.period})")
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.legend()
            fig.tight_layout()
            path = directory / f"{stem}-{name}.png"
            fig.savefig(path)
            paths.append(path)
    return paths


def write_xlsx(report: Report, path: Path | str, *, charts: bool = True) -> list[Path]:
    """Write the workbook to ``path`` and, with ``charts``, the PNG charts beside it; the paths written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(report).save(path)
    written = [path]
    if charts:
        written += write_charts(report, path.parent, path.stem)
    return written
