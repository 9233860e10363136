"""On-site inspections through the console: a district supervisor records one for an outlet of their
district and the week's count changes; each refusal comes back with its message and saves nothing;
another district's records are neither shown nor recordable; the CSRF check; the warnings on the
supervision home page. The app's clock reads Friday 2026-11-27, 10:00 in Qingdao."""

from __future__ import annotations

import html

import pytest
from sqlmodel import Session, func, select

from bot.inspections import OutletInspection
from bot.web.console.models import AuditEntry
from tests.web.console.supervision.html import table, text

PATH = "/console/supervision/inspections"
LICANG_OUTLET = "ccb/李村支行"  # 中国建设银行李村支行, 李沧区
SHINAN_OUTLET = "icbc/香港中路支行"  # 中国工商银行香港中路支行, 市南区


def count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(OutletInspection)).one()


def form(knowledge, **fields) -> dict:
    data = {"inspected_on": "2026-11-26", "outlet": LICANG_OUTLET, "staff": ["王强", "李敏", ""],
            "rectification": "", "recheck_on": ""}
    data.update({f"finding_{item.code}": "compliant" for item in knowledge.inspections.items})
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def week_row(page: str, district: str) -> list[str]:
    return next(row for row in table(page, "inspection-week-table") if row and row[0] == district)


@pytest.fixture
def licang(signed_in):
    return signed_in("district_supervisor")


def test_a_district_supervisor_records_an_inspection_and_the_week_counts_it(licang, engine, knowledge):
    before = licang.get(PATH)
    assert before.status_code == 200
    assert week_row(before.text, "李沧区") == ["李沧区", "0", "3", "还差3个", "0"]
    new = licang.get(f"{PATH}/new")
    assert new.status_code == 200
    assert "中国建设银行李村支行" in new.text and "中国工商银行香港中路支行" not in new.text  # 市南区's outlet
    assert all(html.escape(item.label) in new.text for item in knowledge.inspections.items)
    done = licang.post(PATH, form(knowledge, finding_no_fee_notice="non_compliant", note_no_fee_notice="未张贴不收费告示",
                                  rectification="三个工作日内张贴", recheck_on="2026-12-03"))
    assert done.status_code == 303, done.text
    record = licang.get(done.headers["location"])
    assert record.status_code == 200
    assert "已登记 中国建设银行李村支行 2026-11-26 的现场督导。" in record.text and "逾期录入" not in record.text
    findings = table(record.text, "inspection-findings")
    assert ["第十二条", knowledge.inspections.items[4].label, "不符合", "未张贴不收费告示"] in findings
    assert "王强、李敏" in record.text and "三个工作日内张贴" in record.text and "2026-12-03" in record.text
    after = licang.get(PATH)
    assert week_row(after.text, "李沧区") == ["李沧区", "1", "3", "还差2个", "0"]
    with Session(engine) as session:
        stored = session.exec(select(OutletInspection)).one()
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "record_inspection")).one()
    assert (stored.district, stored.recorded_by, stored.staff, stored.late) == ("李沧区", "licang1", ["王强", "李敏"],
                                                                              False)
    assert entry.user_name == "licang1" and entry.detail == {
        "inspection": stored.id, "district": "李沧区", "outlet": "中国建设银行李村支行", "inspected_on": "2026-11-26",
        "late": False}


def test_a_recording_after_two_working_days_is_saved_and_marked_late(licang, engine, knowledge):
    # Tuesday 11-24 + 2 working days = Thursday 11-26; today is Friday.
    done = licang.post(PATH, form(knowledge, inspected_on="2026-11-24"))
    assert done.status_code == 303
    record = licang.get(done.headers["location"])
    assert "记为逾期录入" in record.text and "最晚 2026-11-26" in record.text
    listing = licang.get(PATH)
    assert week_row(listing.text, "李沧区")[-1] == "1"
    assert "本周有 1 条督导情况超过 2 个工作日才录入" in text(listing.text)
    assert table(listing.text, "inspection-table")[1][-1] == "逾期录入"


@pytest.mark.parametrize(("fields", "message"), [
    ({"inspected_on": "2026-11-28"}, "督导日期 2026-11-28 晚于今天（2026-11-27）"),
    ({"inspected_on": "2026-13-01"}, "督导日期“2026-13-01”无法识别"),
    ({"inspected_on": "27/11/2026"}, "督导日期“27/11/2026”无法识别"),
    ({"inspected_on": ""}, "请填写督导日期"),
    ({"outlet": "ccb/不存在支行"}, "没有这个服务网点：中国建设银行不存在支行"),
    ({"outlet": "李村支行"}, "没有这个服务网点：李村支行"),
    ({"outlet": ""}, "请选择督导的服务网点"),
    ({"staff": ["王强", ""]}, "由 2 名或 2 名以上工作人员共同进行（《办法》第二十六条）"),
    ({"finding_issuance_time": None}, "督导事项“在规定期限内发卡，临时卡即时发放”（第十七条）尚未选择"),
    ({"finding_issuance_time": "non_compliant", "rectification": "整改"}, "不符合，请在说明中写明具体情况"),
    ({"finding_issuance_time": "non_compliant", "note_issuance_time": "补卡超过7个工作日"}, "请填写整改要求"),
    ({"recheck_on": "2026-11-20"}, "复查日期应晚于督导日期 2026-11-26"),
])
def test_each_refusal_comes_back_with_its_message_and_saves_nothing(licang, engine, knowledge, fields, message):
    response = licang.post(PATH, form(knowledge, **fields))
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "督导记录没有保存" in response.text
    assert count(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "record_inspection")).all() == []


def test_what_was_typed_comes_back_escaped(licang, engine, knowledge):
    response = licang.post(PATH, form(knowledge, staff=["<b>王强</b>"], rectification="<script>x</script>"))
    assert response.status_code == 422
    assert "<script>x" not in response.text and "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert 'value="&lt;b&gt;王强&lt;/b&gt;"' in response.text


def test_the_same_outlet_and_day_twice_is_refused(licang, engine, knowledge):
    assert licang.post(PATH, form(knowledge)).status_code == 303
    again = licang.post(PATH, form(knowledge, staff=["赵六", "钱七"]))
    assert again.status_code == 409
    assert "中国建设银行李村支行 2026-11-26 的督导已经登记过（登记人：licang1）" in html.unescape(again.text)
    assert count(engine) == 1


def test_a_district_supervisor_cannot_record_for_another_district(licang, engine, knowledge):
    response = licang.post(PATH, form(knowledge, outlet=SHINAN_OUTLET))
    assert response.status_code == 403
    assert "中国工商银行香港中路支行不在李沧区，您只能登记本辖区服务网点的督导" in response.text
    assert count(engine) == 0


def test_a_district_supervisor_sees_only_their_district(signed_in, engine, knowledge):
    shinan = signed_in("district_supervisor_shinan")
    done = shinan.post(PATH, form(knowledge, outlet=SHINAN_OUTLET))
    assert done.status_code == 303
    theirs = done.headers["location"]
    licang = signed_in("district_supervisor")
    assert licang.get(theirs).status_code == 404
    listing = licang.get(PATH)
    assert "香港中路支行" not in listing.text
    assert [row[0] for row in table(listing.text, "inspection-week-table")[1:]] == ["李沧区"]
    assert [row[0] for row in table(listing.text, "inspection-history-table")[1:]] == ["李沧区"]
    assert shinan.get(theirs).status_code == 200


def test_the_city_sees_every_district_and_records_for_any(signed_in, engine, knowledge):
    city = signed_in("city_supervisor")
    new = city.get(f"{PATH}/new")
    assert "中国建设银行李村支行" in new.text and "中国工商银行香港中路支行" in new.text
    assert city.post(PATH, form(knowledge, outlet=SHINAN_OUTLET)).status_code == 303
    listing = city.get(PATH)
    rows = table(listing.text, "inspection-week-table")[1:]
    assert [row[0] for row in rows] == [d.name for d in knowledge.districts]
    assert week_row(listing.text, "市南区")[1] == "1"
    history = table(listing.text, "inspection-history-table")
    assert len(history[0]) == 2 + 12  # district, weeks met, twelve past weeks
    assert history[1][1] == "0/12"


def test_a_forged_csrf_token_records_nothing(licang, engine, knowledge):
    response = licang.post(PATH, form(knowledge, csrf_token="forged"))
    assert response.status_code == 403 and "页面已过期或请求无法验证" in response.text
    assert licang.post(PATH, form(knowledge), csrf=False).status_code == 403
    assert count(engine) == 0


def test_operators_cannot_open_or_record_inspections(signed_in, engine, knowledge):
    operator = signed_in("operator")
    assert operator.get(PATH).status_code == 403
    assert operator.get(f"{PATH}/new").status_code == 403
    assert operator.post(PATH, form(knowledge)).status_code == 403
    assert count(engine) == 0


def test_an_unknown_record_is_not_found(licang):
    for path in (f"{PATH}/999", f"{PATH}/abc", f"{PATH}/99999999999999999999"):
        assert licang.get(path).status_code == 404, path


def test_the_supervision_home_warns_a_district_behind_for_the_week(licang, knowledge):
    home = licang.get("/console/supervision")
    assert home.status_code == 200
    assert week_row(home.text, "李沧区") == ["李沧区", "0", "3", "还差3个", "0"]
    assert "李沧区本周还差 3 个网点" in text(home.text) and "2026-11-29" in home.text
    for outlet, day in (("ccb/李村支行", "2026-11-23"), ("icbc/李沧支行", "2026-11-25"), ("qdbank/李沧支行", "2026-11-26")):
        assert licang.post(PATH, form(knowledge, outlet=outlet, inspected_on=day)).status_code == 303
    home = licang.get("/console/supervision")
    assert week_row(home.text, "李沧区")[3] == "已达标"
    assert "inspection-week-warning" not in home.text
    # 11-23 + 2 working days = 11-25: recorded on 11-27, late.
    assert "本周有 1 条督导情况超过 2 个工作日才录入" in text(home.text)


def test_a_phone_number_in_a_note_is_masked_on_the_record(licang, knowledge):
    done = licang.post(PATH, form(knowledge, finding_complaint_phone="non_compliant",
                                  note_complaint_phone="市民13912345678反映投诉无人接听",
                                  rectification="回访13912345678并公示监督电话"))
    record = licang.get(done.headers["location"])
    assert "13912345678" not in record.text
    assert "市民139****5678反映投诉无人接听" in record.text and "回访139****5678并公示监督电话" in record.text
