"""On-site inspections in headless Chromium: a 李沧区 supervisor records an inspection through the form
and sees their district's count for the week go up by one. Screenshots of the form and the week."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.knowledge import get_knowledge

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_district_supervisor_records_an_inspection_and_the_week_count_goes_up(page, console_server, sign_in,
                                                                             screenshot):
    knowledge = get_knowledge()
    sign_in(page, "district_supervisor")
    page.click("nav.site-nav >> text=监管")
    assert page.locator('#inspection-week-table tr[data-district="李沧区"]').count() == 1  # on the supervision home
    page.click("nav.sv-tabs >> text=现场督导")
    week = page.locator('#inspection-week-table tr[data-district="李沧区"]')
    before = int(week.locator("td.inspected").inner_text())
    assert page.locator('#inspection-week-table tr[data-district="市南区"]').count() == 0

    page.click("#new-inspection")
    # The server runs on the machine's clock: the inspection is today's, in Qingdao.
    page.fill("#i-date", datetime.now(SHANGHAI).date().isoformat())
    page.select_option("#i-outlet", "ccb/李村支行")
    page.fill("#i-staff-1", "王强")
    page.fill("#i-staff-2", "李敏")
    for item in knowledge.inspections.items:
        page.check(f"#i-{item.code}-compliant")
    page.check("#i-no_fee_notice-non_compliant")
    page.fill("#i-no_fee_notice-note", "未张贴卡经办服务不收费告示")
    page.fill("#i-rectification", "三个工作日内张贴告示，复查时核对")
    screenshot(page, "inspection-form")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_url("**/console/supervision/inspections/*?done=1")
    assert "已登记 中国建设银行李村支行" in page.locator("p.flash").inner_text()
    assert "未张贴卡经办服务不收费告示" in page.locator("#inspection-findings").inner_text()

    page.click("nav.sv-tabs >> text=现场督导")
    week = page.locator('#inspection-week-table tr[data-district="李沧区"]')
    after = int(week.locator("td.inspected").inner_text())
    assert after == before + 1
    state = week.locator("td.state").inner_text()
    assert state == ("已达标" if after >= 3 else f"还差{3 - after}个")
    assert "中国建设银行李村支行" in page.locator("#inspection-table").inner_text()
    screenshot(page, "inspections-week")
