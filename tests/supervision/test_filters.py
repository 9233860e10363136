"""Reading the ticket list's filters from a query string: aliases understood, bad values named in
Chinese, a district supervisor held to their district."""

from __future__ import annotations

import pytest

from bot.ledger.models import TicketKind, TicketState
from bot.supervision import InvalidFilters, TicketFilters, parse_filters


def test_aliases_become_canonical_names(knowledge):
    filters = parse_filters({"bank": "建行", "district": "西海岸", "state": "extended", "kind": "supervision",
                             "number": " zb-2026 ", "due_within": "2"}, knowledge=knowledge, scope=None)
    assert filters == TicketFilters(bank="中国建设银行", district="黄岛区", state=TicketState.extended,
                                    kind=TicketKind.supervision, number="ZB-2026", due_within=2)


def test_empty_values_do_not_filter(knowledge):
    assert parse_filters({"bank": "", "district": " ", "page": ""}, knowledge=knowledge, scope=None) == TicketFilters()


def test_every_bad_field_is_named_in_chinese(knowledge):
    with pytest.raises(InvalidFilters) as caught:
        parse_filters({"bank": "花旗银行", "district": "朝阳区", "state": "lost", "kind": "memo",
                       "due_within": "99", "number": "<script>", "page": "-3", "sort": "random",
                       "overdue": "maybe"}, knowledge=knowledge, scope=None)
    errors = caught.value.explain_each(knowledge.messages)
    assert set(errors) == {"bank", "district", "state", "kind", "due_within", "number", "page", "sort", "overdue"}
    assert "花旗银行" in errors["bank"] and "合作银行" in errors["bank"]
    assert "朝阳区" in errors["district"]
    assert "0 到 30" in errors["due_within"]


def test_overdue_and_due_soon_exclude_each_other(knowledge):
    with pytest.raises(InvalidFilters) as caught:
        parse_filters({"overdue": "1", "due_within": "1"}, knowledge=knowledge, scope=None)
    assert set(caught.value.problems) == {"due_within"}


def test_a_district_supervisor_is_held_to_their_district(knowledge):
    assert parse_filters({}, knowledge=knowledge, scope="李沧区").district == "李沧区"
    assert parse_filters({"district": "李沧"}, knowledge=knowledge, scope="李沧区").district == "李沧区"
    with pytest.raises(InvalidFilters) as caught:
        parse_filters({"district": "市南区"}, knowledge=knowledge, scope="李沧区")
    assert caught.value.explain_each(knowledge.messages) == {"district": "您只能查看李沧区的工单"}


def test_long_text_is_refused_not_cut(knowledge):
    with pytest.raises(InvalidFilters) as caught:
        parse_filters({"outlet": "支" * 65}, knowledge=knowledge, scope=None)
    assert set(caught.value.problems) == {"outlet"}


def test_query_round_trips(knowledge):
    filters = parse_filters({"bank": "工行", "overdue": "on", "sort": "due", "page": "3"}, knowledge=knowledge,
                            scope=None)
    assert parse_filters(filters.query(), knowledge=knowledge, scope=None) == filters
    assert filters.query(page=1) == {"bank": "中国工商银行", "overdue": "1", "sort": "due"}
