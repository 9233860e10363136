"""A bank's assessment page: the city enters its findings and sees the score item by item; a district
supervisor and an operator cannot open it; bad input is shown next to its field and saves nothing; the
entry is audited and a second entry replaces the first."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

from sqlmodel import Session, select

from bot.assessments import AssessmentEntry
from bot.web.console.models import AuditEntry
from tests.web.console.supervision.html import table, text

CCB = "中国建设银行"
YEAR = 2026
PAGE = f"/console/supervision/assessment/{YEAR}/{quote(CCB)}"
ITEMS = {"item_outlet_construction": "96", "item_card_service": "92", "item_staff_training": "90",
         "item_system_maintenance": "100", "item_complaint_handling": "88", "item_agreement": "100",
         "item_annual_work": "95"}


def _entries(engine) -> list[AssessmentEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AssessmentEntry)))


def _audit(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == "enter_assessment")))


def test_only_the_city_opens_and_enters(signed_in, engine):
    for role in ("district_supervisor", "operator"):
        browser = signed_in(role)
        assert browser.get(PAGE).status_code == 403
        assert browser.post(PAGE, ITEMS).status_code == 403
    assert _entries(engine) == []
    grades = signed_in("district_supervisor").get(f"/console/supervision/grades?year={YEAR}")
    assert grades.status_code == 200 and PAGE not in grades.text  # the list without the way in


def test_entering_every_item_gives_the_score_and_the_grade(signed_in, engine, knowledge):
    city = signed_in("city_supervisor")
    before = city.get(PAGE)
    assert before.status_code == 200 and "待评定" in text(before.text)
    done = city.post(PAGE, {**ITEMS, "bonus_events": "head_office_honour", "note": "依据年度检查记录"})
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?done=1"
    after = city.get(done.headers["location"])
    rows = table(after.text, "assessment-items")[1:]
    weights = {w.label: w.weight for w in knowledge.rules.score_weights.items}
    scored = {row[0].split("）", 1)[1]: float(row[3]) for row in rows if row and row[0].startswith("（")}
    assert scored == {label: round(weights[label] * float(ITEMS[f"item_{w.code}"]) / 100, 2)
                      for w in knowledge.rules.score_weights.items for label in [w.label]}
    total = round(sum(scored.values()) + knowledge.rules.score_weights.bonus_points["head_office_honour"], 2)
    assert f"得分：{min(total, 100):.2f}" in text(after.text).replace(" ", "")
    assert "city1" in text(after.text) and "已保存" in text(after.text)
    listing = city.get(f"/console/supervision/grades?year={YEAR}")
    ccb = next(r for r in table(listing.text, "grades") if r and r[0] == CCB)
    assert ccb[1] == f"{min(total, 100):.2f}"
    [entry] = _audit(engine)
    assert entry.user_name == "city1" and entry.detail["bank"] == CCB and entry.detail["items"]["agreement"] == 100


def test_bad_percentages_are_shown_and_nothing_is_saved(signed_in, engine):
    city = signed_in("city_supervisor")
    refused = city.post(PAGE, {**ITEMS, "item_card_service": "120", "item_agreement": "很好",
                               "automatic_fail": "made_up"})
    assert refused.status_code == 422
    page = text(refused.text)
    assert page.count("请填写 0 到 100 之间的数") == 2 and "没有编号为 made_up 的事项" in page
    assert 'value="很好"' in refused.text  # the form comes back as typed
    assert _entries(engine) == [] and _audit(engine) == []


def test_a_second_entry_replaces_the_first(signed_in, engine):
    city = signed_in("city_supervisor")
    city.post(PAGE, {"item_card_service": "80"})
    city.post(PAGE, {"item_card_service": "85", "refusal_to_act": "1"})
    [entry] = _entries(engine)
    assert entry.items == {"card_service": 85.0} and entry.refusal_to_act
    page = text(city.get(PAGE).text)
    assert "暂停" in page  # Art. 49: refusing to act suspends new cards
    assert len(_audit(engine)) == 2


def test_an_unknown_bank_a_future_year_and_a_forged_token_are_refused(signed_in, engine):
    city = signed_in("city_supervisor")
    assert city.get(f"/console/supervision/assessment/{YEAR}/{quote('花旗银行')}").status_code == 404
    assert city.get(f"/console/supervision/assessment/2099/{quote(CCB)}").status_code == 404
    assert city.post(f"/console/supervision/assessment/2099/{quote(CCB)}", ITEMS).status_code == 404
    assert city.post(PAGE, {**ITEMS, "csrf_token": "forged"}, csrf=False).status_code == 403
    assert _entries(engine) == []


# --------------------------------------------------------------------------- computed items


def _seeded_page(engine, knowledge, clock, signed_in):
    from tests.reports.assessment_seed import AFTER_YEAR, seed_year

    with Session(engine, expire_on_commit=False) as session:
        seed_year(session, knowledge)
    clock.set(AFTER_YEAR)
    return signed_in("city_supervisor")


def _item_rows(html: str) -> dict[str, list[str]]:
    return {row[0].split("）", 1)[1]: row for row in table(html, "assessment-items")[1:] if row and row[0].startswith("（")}


def test_the_page_shows_each_computed_item_with_its_counts_and_cases(engine, knowledge, clock, signed_in):
    from bot.reports import default_config
    from tests.reports.assessment_seed import LATE_TICKET

    city = _seeded_page(engine, knowledge, clock, signed_in)
    html = city.get(PAGE).text
    rows = _item_rows(html)
    weights = {w.code: w for w in knowledge.rules.score_weights.items}
    # 五: tickets 4 of 5 (80%) and satisfaction 2 of 3, weighted by knowledge/assessment.yml
    measures = {m.measure: m.weight for m in default_config().computed["complaint_handling"]}
    percent = (measures["tickets_on_time"] * 80 + measures["satisfaction"] * 200 / 3) / sum(measures.values())
    five = rows[weights["complaint_handling"].label]
    assert five[1:5] == ["20", f"{round(percent, 2):g}%", f"{20 * percent / 100:.2f}", "系统计算"]
    three = rows[weights["staff_training"].label]
    assert three[2:5] == ["未评分", "—", "未评定"]  # the city's to enter
    page = text(html)
    assert "到期的转办单、督办单 5 件，按期办结 4 件，逾期 1 件" in page
    assert "回访答复 3 次，满意或基本满意 2 次，不满意 1 次" in page
    assert "现场督导共检查 24 项，符合 22 项，不符合 2 项" in page
    assert "应上报自查总结 19 份，按时上报 15 份，逾期或未报 4 份" in page
    # the cases behind, as links
    assert f'href="/console/supervision/tickets/{LATE_TICKET}"' in html
    assert 'href="/console/supervision/inspections/' in html
    assert 'href="/console/self-inspections?year=2026"' in html
    # every case behind a figure opens for the city supervisor who reads the page
    links = set(re.findall(r'<ul class="cases">.*?</ul>', html, flags=re.S))
    hrefs = {unescape(h) for block in links for h in re.findall(r'href="([^"]+)"', block)}
    assert len(hrefs) == 7  # 3 tickets behind 五 and 二, the unhappy callback's ticket, 2 inspections, the summaries
    for href in sorted(hrefs):
        assert city.get(href).status_code == 200, href
    # another bank's late ticket is not behind this bank's score
    assert "ZB-20260320-0007" not in html


def test_a_city_entry_overrides_a_computed_item_and_the_page_says_so(engine, knowledge, clock, signed_in):
    city = _seeded_page(engine, knowledge, clock, signed_in)
    done = city.post(PAGE, {"item_complaint_handling": "90"})
    assert done.status_code == 303
    html = city.get(PAGE).text
    five = _item_rows(html)["效能投诉督办件办理情况"]
    assert five[2:4] == ["90%", "18.00"]
    assert five[4].startswith("市社会保险经办机构评定（录入：city1")
    assert "系统计算为 76%，已由市社会保险经办机构录入的得分率替代" in five[4]
    card = _item_rows(html)["卡经办服务情况"]
    assert card[4] == "系统计算"  # the items not entered stay computed
