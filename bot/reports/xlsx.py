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
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.knowledge import Knowledge

from .model import Report
from .render import (
    LIST_SEPARATOR,
    articles_label,
    count_headers,
    due_note,
    due_text,
    fail_event,
    rate_cell,
    suspension,
    yes_no,
)

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_WIDTH = 60

# The sheets in their order (xlsx_sheet_<name> in the catalogue); a month's workbook has no assessment.
SHEETS_MONTH = ("summary", "outlets", "types", "praise", "firings", "overdue", "inspection", "district_inspections",
                "satisfaction", "three_rates", "about")
SHEETS_YEAR = ("summary", "outlets", "types", "praise", "firings", "overdue", "inspection", "district_inspections",
               "satisfaction", "three_rates", "assessment", "assessment_items", "about")
RATE_FORMAT = "0.0%"


def _excel(knowledge: Knowledge, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; every time here is Asia/Shanghai
    if isinstance(value, bool):
        return yes_no(knowledge, value)
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return value


def _width(knowledge: Knowledge, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(_excel(knowledge, value)).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


HEADER_STYLE = "sbk-header"
NUMBER_FORMATS = {"text": "General", "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd", "rate": RATE_FORMAT}


def _style(kind: str, total: bool = False) -> str:
    """The named style of a body cell: its kind (NUMBER_FORMATS) and whether it is in a total row."""
    return f"sbk-{kind}{'-total' if total else ''}"


def _register_styles(wb: Workbook) -> None:
    """The workbook's cell styles, as named styles a cell points to.

    Setting border, alignment and font cell by cell made openpyxl hash a new style object for
    each; with a year's thousands of rows that took seconds.
    """
    if HEADER_STYLE in wb.named_styles:
        return
    body = Alignment(vertical="top", wrap_text=True)
    for kind, number_format in NUMBER_FORMATS.items():
        for total in (False, True):
            wb.add_named_style(NamedStyle(name=_style(kind, total), font=TOTAL_FONT if total else Font(),
                                          border=BORDER, alignment=body, number_format=number_format))
    wb.add_named_style(NamedStyle(name=HEADER_STYLE, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER,
                                  alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)))


def _kind(value: Any) -> str:
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "text"


def _sheet(knowledge: Knowledge, wb: Workbook, sheet: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           total_rows: int = 0) -> Worksheet:
    """A sheet (one of SHEETS_YEAR) with one table from A1; the last ``total_rows`` rows are set in bold."""
    _register_styles(wb)
    ws = wb.create_sheet(knowledge.messages.text(f"xlsx_sheet_{sheet}"))
    ws.append(list(headers))
    for row in rows:
        ws.append([_excel(knowledge, v) for v in row])
    for cell in ws[1]:
        cell.style = HEADER_STYLE
    for r, row in enumerate(ws.iter_rows(min_row=2, max_row=ws.max_row), start=2):
        total = bool(total_rows) and r > ws.max_row - total_rows
        for cell in row:
            cell.style = _style(_kind(cell.value), total)
    for c, header in enumerate(headers, start=1):
        width = max([_width(knowledge, header)] + [_width(knowledge, row[c - 1]) for row in rows if c - 1 < len(row)])
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


def build_workbook(report: Report, *, knowledge: Knowledge) -> Workbook:
    m = knowledge.messages

    def cols(*names: str) -> list[str]:
        return [m.text(f"report_col_{name}") for name in names]

    wb = Workbook()
    wb.remove(wb.active)
    counts = count_headers(knowledge)
    complaints = [m.render("report_col_complaints", count=c) for c in counts]
    praised = [m.render("report_col_praise", count=c) for c in counts]
    unit = m.text("xlsx_chart_unit")

    # summary + chart of complaints per bank
    rows = [[b.bank, b.code, b.complaints.total, b.complaints.found_true, b.complaints.not_true, b.complaints.pending,
             b.praise.total, b.praise.found_true, b.praise.not_true, b.praise.pending, b.overdue_tickets,
             b.missed_tickets, b.firings_official, b.firings_warning] for b in report.banks]
    n_banks = len(rows)
    u, t = report.unassigned, report.totals
    tail = []
    if u["complaints"].total or u["praise"].total:
        tail.append([m.text("report_unassigned_bank"), None, *_c(u["complaints"]), *_c(u["praise"]), None, None, None,
                     None])
    tail.append([m.text("report_total"), None, *_c(t["complaints"]), *_c(t["praise"]), t["overdue_tickets"],
                 t["missed_tickets"], t["firings_official"], t["firings_warning"]])
    ws = _sheet(knowledge, wb, "summary", [*cols("bank", "code"), *complaints, *praised,
                                           *cols("overdue_tickets", "missed_tickets", "firings_official",
                                                 "firings_warning")], rows + tail, total_rows=1)
    _bar_chart(m.render("xlsx_chart_title", chart=m.text("xlsx_chart_by_bank"), period=report.period_label), unit, ws,
               cats=(1, 2, n_banks + 1), series=(3, 4), first_row=2, last_row=n_banks + 1, anchor=f"A{ws.max_row + 3}")

    # outlets
    _sheet(knowledge, wb, "outlets", [*cols("bank", "outlet", "district", "configured"), *complaints, *praised],
           [[o.bank, o.outlet_label, o.district, o.configured, *_c(o.complaints), *_c(o.praise)] for o in report.outlets])

    # complaint types: long table, per-type totals beside it, chart of complaints per type
    rows = [[b.bank, t.label, t.intent, t.total, t.found_true, t.not_true, t.pending]
            for b in report.banks for t in b.complaint_types]
    rows += [[o.bank + " / " + o.outlet_label, t.label, t.intent, t.total, t.found_true, t.not_true, t.pending]
             for o in report.outlets for t in o.complaint_types if t.total]
    ws = _sheet(knowledge, wb, "types", [m.text("xlsx_col_bank_or_outlet"), *cols("complaint_type", "intent"), *counts],
                rows)
    col = 9
    ws.cell(row=1, column=col, value=m.text("report_col_complaint_type"))
    ws.cell(row=1, column=col + 1, value=counts[0])
    ws.cell(row=1, column=col + 2, value=counts[1])
    for c in range(col, col + 3):
        cell = ws.cell(row=1, column=c)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center")
    for r, (label, total, found) in enumerate(_per_type(report), start=2):
        for c, value in enumerate((label, total, found), start=col):
            ws.cell(row=r, column=c, value=value).border = BORDER
    ws.column_dimensions[get_column_letter(col)].width = 20
    n_types = len(report.complaint_types)
    _bar_chart(m.render("xlsx_chart_title", chart=m.text("xlsx_chart_by_type"), period=report.period_label), unit, ws,
               cats=(col, 2, n_types + 1), series=(col + 1, col + 2), first_row=2, last_row=n_types + 1,
               anchor=f"{get_column_letter(col)}{n_types + 4}")

    # praise
    bank_tier, outlet_tier = m.text("report_col_bank"), m.text("report_col_outlet")
    praise = [[bank_tier, b.bank, None, *_c(b.praise)] for b in report.banks]
    praise += [[outlet_tier, o.bank, o.outlet_label, *_c(o.praise)] for o in report.outlets if o.praise.total]
    _sheet(knowledge, wb, "praise", [m.text("xlsx_col_tier"), *cols("bank", "outlet"), *counts], praise)

    # rules fired
    _sheet(knowledge, wb, "firings",
           cols("level", "fired_at", "rule", "rule_id", "articles", "bank", "subject", "period", "count", "consequence",
                "next_steps", "case_ids"),
           [[f.level_label, f.fired_at, f.rule_label, f.rule_id, articles_label(knowledge, f.articles), f.bank,
             f.subject, f.period, f.count, f.consequence, [f"{n}. {s}" for n, s in enumerate(f.next_steps, 1)],
             LIST_SEPARATOR.join(str(i) for i in f.case_ids)] for f in report.firings])

    # overdue tickets
    _sheet(knowledge, wb, "overdue",
           [*cols("number", "kind", "bank", "outlet", "created_on", "due_date"),
            m.render("report_col_days_overdue_as_of", as_of=report.as_of_label), *cols("state", "escalated")],
           [[o.number, o.kind_label, o.bank, o.outlet, o.created_on, o.due_date, o.days_overdue, o.state_label,
             o.escalated] for o in report.overdue])

    # Art. 38 self-inspection reports
    _sheet(knowledge, wb, "inspection",
           cols("inspection_period", "inspection_kind", "due_at", "deadline", "moved", "provisional", "note",
                "articles"),
           [[r.period_label, r.period_kind_label, due_text(r), r.due_date, r.moved, r.provisional, due_note(knowledge, r),
             articles_label(knowledge, [r.article])] for r in report.self_inspection])

    # Art. 29 on-site inspections by the district agencies
    _sheet(knowledge, wb, "district_inspections", cols("district", "weeks_met", "weeks_counted", "inspections",
                                                      "late_recordings"),
           [[r.district, r.weeks_met, r.weeks, r.inspections, r.late] for r in report.district_inspections])

    _satisfaction_sheet(knowledge, wb, report)

    # the 三率 board: per bank, then per district, each rate as "x/y（z%）" or "—" as in the Markdown
    groups = [(m.text("report_col_bank"), report.three_rates_banks, m.text("report_unassigned_bank")),
              (m.text("report_col_district"), report.three_rates_districts, m.text("report_unassigned_district"))]
    _sheet(knowledge, wb, "three_rates", cols("grouping", "name", "response_rate", "completion_rate", "satisfaction_rate"),
           [[group, r.name or unnamed, rate_cell(knowledge, r.response), rate_cell(knowledge, r.completion),
             rate_cell(knowledge, r.satisfaction)] for group, rows, unnamed in groups for r in rows])

    if report.assessment is not None:
        items = report.assessment[0].items if report.assessment else []
        _sheet(knowledge, wb, "assessment",
               [*cols("bank", "score", "grade"),
                *[m.render("report_col_item_weight", item=i.item, label=i.label, weight=f"{i.weight:g}") for i in items],
                *cols("bonus", "deductions", "automatic_fail", "suspended", "suspension_basis", "missing_items",
                      "complaints_found_true", "praise_found_true", "same_type_months", "volume_months",
                      "forced_selling", "missed_tickets_year", "max_days_overdue", "commendation_candidate", "remark")],
               [[a.bank, a.score, a.grade_label, *[i.points for i in a.items], sum(b.points for b in a.bonuses),
                 sum(d.points for d in a.deductions),
                 [fail_event(knowledge, e) for e in a.automatic_fail],
                 a.suspended, [suspension(knowledge, s) for s in a.suspensions],
                 LIST_SEPARATOR.join(a.missing_items), a.ledger.complaints_found_true, a.ledger.praise_found_true,
                 a.ledger.same_type_months, a.ledger.volume_months, a.ledger.forced_selling_cases,
                 a.ledger.missed_tickets, a.ledger.max_days_overdue, a.ledger.city_commendation_candidate, a.note]
                for a in report.assessment])
        _assessment_items_sheet(knowledge, wb, report)

    period = m.render("report_period_range", first_day=report.first_day, last_day=report.last_day,
                      timezone=report.timezone)
    about = [[m.text("report_about_report"), report.title], [m.text("report_about_period"), period],
             [m.text("report_about_as_of"), report.as_of_label], [m.text("report_about_generated"), report.generated_at]]
    about += [[m.text("report_about_note"), note] for note in report.notes]
    _sheet(knowledge, wb, "about", [m.text("xlsx_col_field"), m.text("xlsx_col_value")], about)
    return wb


def _assessment_items_sheet(knowledge: Knowledge, wb: Workbook, report: Report) -> Worksheet:
    """How each bank's score was reached, item by item: one row per figure the system measured for an
    item (with the cases behind it), one row for an item the city scored or left unscored."""
    m = knowledge.messages

    def cols(*names: str) -> list[str]:
        return [m.text(f"report_col_{name}") for name in names]

    def percent(value: float | None) -> float | str:
        return m.text("assessment_item_not_scored") if value is None else round(value, 1)

    rows: list[list[Any]] = []
    for a in report.assessment or []:
        for i in a.items:
            item = [a.bank, m.render("report_col_item", item=i.item, label=i.label), i.weight, i.source_label,
                    percent(i.percent), i.points]
            if i.overridden and i.computed_percent is not None:
                item[3] = [i.source_label, m.render("assessment_item_overridden", percent=f"{i.computed_percent:g}")]
            if not i.measures:
                rows.append([*item, None, None, None, None, None])
            for measure in i.measures:
                cases = [c.label for c in measure.cases]
                if measure.more_cases:
                    cases.append(m.render("assessment_more_cases", count=measure.more_cases))
                rows.append([*item, measure.label, measure.weight, percent(measure.percent), measure.summary, cases])
    return _sheet(knowledge, wb, "assessment_items",
                  cols("bank", "assessment_item", "weight", "source", "percent_of_100", "points", "measure",
                       "measure_weight", "measure_percent", "measure_summary", "measure_cases"), rows)


def _satisfaction_sheet(knowledge: Knowledge, wb: Workbook, report: Report) -> Worksheet:
    """Art. 25(二), 40: the rates per bank, outlet and district in one table, one tier after the other (as
    the praise sheet), and the total; a rate is a number formatted as a percentage, — without answers."""
    m = knowledge.messages
    bank_tier, outlet_tier, district_tier = (m.text(f"report_col_{c}") for c in ("bank", "outlet", "district"))

    def counts(r) -> list[Any]:  # noqa: ANN001  (any of the three satisfaction rows)
        return [r.answered, r.satisfied, r.basically_satisfied, r.dissatisfied,
                r.rate if r.rate is not None else m.text("report_no_rate")]

    rows = [[bank_tier, r.bank, None, None, *counts(r)] for r in report.satisfaction]
    rows += [[outlet_tier, r.bank, r.outlet_label, r.district, *counts(r)] for r in report.satisfaction_outlets]
    rows += [[district_tier, None, None, r.district_label, *counts(r)] for r in report.satisfaction_districts]
    answered = sum(r.answered for r in report.satisfaction)
    satisfied = sum(r.satisfied for r in report.satisfaction)
    basically = sum(r.basically_satisfied for r in report.satisfaction)
    dissatisfied = sum(r.dissatisfied for r in report.satisfaction)
    rate = (satisfied + basically) / answered if answered else m.text("report_no_rate")
    rows.append([m.text("report_total"), None, None, None, answered, satisfied, basically, dissatisfied, rate])
    headers = [m.text("xlsx_col_tier"), *(m.text(f"report_col_{c}") for c in (
        "bank", "outlet", "district", "answered", "satisfied", "basically_satisfied", "dissatisfied",
        "satisfaction_rate"))]
    ws = _sheet(knowledge, wb, "satisfaction", headers, rows, total_rows=1)
    for r, (cell,) in enumerate(ws.iter_rows(min_row=2, min_col=len(headers), max_col=len(headers)), start=2):
        if isinstance(cell.value, float):
            cell.style = _style("rate", r == ws.max_row)
    return ws


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


def write_charts(report: Report, directory: Path | str, stem: str, *, knowledge: Knowledge) -> list[Path]:
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
    # Without a Chinese font the titles and the legend fall back to their Latin wording (*_latin).
    text = knowledge.messages.text
    latin = "" if font else "_latin"
    charts = [
        ("complaints-by-bank", text(f"xlsx_chart_by_bank{latin}"), bank_names,
         [b.complaints.total for b in report.banks], [b.complaints.found_true for b in report.banks]),
        ("complaints-by-type", text(f"xlsx_chart_by_type{latin}"), type_names,
         [p[1] for p in per_type], [p[2] for p in per_type]),
    ]
    legend = (tuple(count_headers(knowledge)[:2]) if font
              else (text("xlsx_legend_total_latin"), text("xlsx_legend_found_true_latin")))
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


def write_xlsx(report: Report, path: Path | str, *, knowledge: Knowledge, charts: bool = True) -> list[Path]:
    """Write the workbook to ``path`` and, with ``charts``, the PNG charts beside it; the paths written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(report, knowledge=knowledge).save(path)
    written = [path]
    if charts:
        written += write_charts(report, path.parent, path.stem, knowledge=knowledge)
    return written
