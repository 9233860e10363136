"""Reading tickets: the bank's own list (filtered, paginated), one ticket, and isolation between banks."""

from __future__ import annotations

import pytest

from bot.ledger.models import TicketState
from tests.web.api.conftest import BANK_A, BANK_B

URL = "/api/bank/tickets"


def test_list_contains_only_own_tickets_newest_first(client, banks, ledger):
    mine = [ledger.ticket() for _ in range(3)]
    theirs = ledger.ticket(bank=BANK_B)
    body = client.get(URL, headers=banks.a).json()
    numbers = [t["number"] for t in body["data"]]
    assert numbers == list(reversed(mine))
    assert theirs not in numbers
    assert body["count"] == 3
    item = body["data"][0]
    assert item["bank"] == BANK_A and item["state"] == "created" and item["intent"] == "complaint/fees"
    assert 12 in item["articles"] and 27 in item["articles"]
    for hidden in ("contact", "contact_phone", "contact_name", "description", "citizen_ref", "case_id"):
        assert hidden not in item


def test_list_filters_by_state(client, banks, ledger):
    ledger.ticket()
    acked = ledger.ticket(state=TicketState.acknowledged)
    ledger.ticket(bank=BANK_B, state=TicketState.acknowledged)
    body = client.get(URL, params={"state": "acknowledged"}, headers=banks.a).json()
    assert [t["number"] for t in body["data"]] == [acked]
    assert body["count"] == 1


def test_list_paginates_with_total_count(client, banks, ledger):
    numbers = [ledger.ticket() for _ in range(5)][::-1]
    page1 = client.get(URL, params={"limit": 2}, headers=banks.a).json()
    page3 = client.get(URL, params={"limit": 2, "offset": 4}, headers=banks.a).json()
    assert [t["number"] for t in page1["data"]] == numbers[:2]
    assert [t["number"] for t in page3["data"]] == numbers[4:]
    assert page1["count"] == page3["count"] == 5
    assert client.get(URL, params={"offset": 10}, headers=banks.a).json() == {"data": [], "count": 5}


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"),
    ({"offset": -1}, "offset"), ({"state": "lost"}, "state"), ({"page": 2}, "page"),
])
def test_list_refuses_bad_query(client, banks, params, field):
    response = client.get(URL, params=params, headers=banks.a)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field
    assert field in response.json()["detail"]["message"]


def test_read_ticket_masks_description_and_hides_contact_without_consent(client, banks, ledger):
    number = ledger.ticket(description="我的电话13812345678，身份证370202199001011234，建行乱收费。")
    body = client.get(f"{URL}/{number}", headers=banks.a).json()
    assert body["number"] == number and body["channel"] == "hotline_12333" and body["district"] == "李沧区"
    assert "13812345678" not in body["description"] and "****" in body["description"]
    assert "370202199001011234" not in body["description"]
    assert body["contact"] is None
    assert "13912345678" not in str(body) and "王先生" not in str(body)


def test_read_ticket_shows_contact_with_consent(client, banks, ledger):
    number = ledger.ticket(consent=True)
    body = client.get(f"{URL}/{number}", headers=banks.a).json()
    assert body["contact"] == {"name": "王先生", "phone": "13912345678"}


def test_another_banks_ticket_is_exactly_like_a_missing_one(client, banks, ledger):
    theirs = ledger.ticket(bank=BANK_B)
    missing = "ZB-20261120-9999"
    before = ledger.snapshot(theirs)
    for method, suffix, body in [("GET", "", None), ("POST", "/acknowledge", None),
                                 ("POST", "/report", {"process": "已处理", "result": "已退费"}),
                                 ("POST", "/extension", {"until": "2027-01-30", "reason": "需要调查"}),
                                 ("POST", "/objection", {"reason": "不同意"})]:
        foreign = client.request(method, f"{URL}/{theirs}{suffix}", json=body, headers=banks.a)
        absent = client.request(method, f"{URL}/{missing}{suffix}", json=body, headers=banks.a)
        assert foreign.status_code == absent.status_code == 404, (suffix, foreign.text)
        assert foreign.json()["detail"]["message"].replace(theirs, "N") == \
            absent.json()["detail"]["message"].replace(missing, "N")
        assert set(foreign.headers) - {"content-length"} == set(absent.headers) - {"content-length"}
    assert ledger.snapshot(theirs) == before
    assert ledger.events(theirs) == []
    # and its own bank still sees it
    assert client.get(f"{URL}/{theirs}", headers=banks.b).status_code == 200


def test_ticket_number_too_long_is_refused_by_field(client, banks):
    response = client.get(f"{URL}/{'Z' * 21}", headers=banks.a)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "number"
