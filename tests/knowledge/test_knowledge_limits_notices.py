"""Art. 17 time limits and Art. 19 one-time notices."""

import pytest

EXPECTED = {
    "first_application": (7, False, "申领人"),
    "replacement": (7, False, "申领人"),
    "temp_card": (0, True, "申领人"),
    "offsite_or_beneficiary": (0, True, "申领人"),
    "student_without_id": (30, False, "申领单位"),
    "unit_batch": (30, False, "申领单位"),
}


def test_time_limit_keys(knowledge):
    assert set(knowledge.time_limits) == set(EXPECTED)


@pytest.mark.parametrize("key", EXPECTED)
def test_time_limit_matches_article_17(knowledge, key):
    limit = knowledge.time_limits[key]
    days, immediate, issued_to = EXPECTED[key]
    assert (limit.working_days, limit.immediate, limit.issued_to) == (days, immediate, issued_to)
    assert limit.article == 17
    art17 = knowledge.article(17).text
    assert limit.quote in art17
    # The number in the data is the number in the quoted sentence of the Measures.
    assert ("即时发放" if immediate else f"{days}个工作日") in limit.quote
    assert "受理日期" in limit.note
    if not immediate:
        assert "受理当日不计入" in limit.note


@pytest.mark.parametrize(("key", "item", "text"), [("insurance_record", "一", "参保所在地社会保险经办机构"), ("no_photo", "二", "公安部联网核查")])
def test_notice_cases(knowledge, key, item, text):
    notice = knowledge.notices[key]
    assert (notice.article, notice.item) == (19, item)
    assert notice.citation == f"第十九条第（{item}）项"
    assert notice.follow_up_days == 7
    assert notice.register_fields == ("受理时间", "受理事项", "联系人", "联系电话")
    assert notice.quote in knowledge.article(19).items[item]
    assert notice.reason and notice.missing and notice.procedure
    assert any(text in s.text for s in (*notice.missing, *notice.procedure))
    assert any(knowledge.operator.service_phone in s.text for s in notice.procedure)


def test_no_photo_lists_every_way_to_obtain_a_photo(knowledge):
    text = "".join(s.text for s in knowledge.notices["no_photo"].procedure)
    for way in ("本市公安部门", "公安部联网核查", "现场采集", "数码照片", "纸质照片扫描"):
        assert way in text
