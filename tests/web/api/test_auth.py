"""Authentication: `Authorization: Bearer <api_key>`; anything else is 401 with WWW-Authenticate."""

from __future__ import annotations

import pytest

URL = "/api/bank/tickets"


def _assert_401(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body["detail"]) == {"message", "field"}
    assert "密钥" in body["detail"]["message"]


def test_missing_key_is_401(client, banks, ledger):
    number = ledger.ticket()
    _assert_401(client.get(URL))
    _assert_401(client.get(f"{URL}/{number}"))
    _assert_401(client.post(f"{URL}/{number}/acknowledge"))
    assert ledger.get(number).state.value == "created"


@pytest.mark.parametrize("header", [
    "Bearer not-a-key",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "sbk_00000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
])
def test_malformed_or_unknown_key_is_401(client, banks, header):
    _assert_401(client.get(URL, headers={"Authorization": header}))


def test_right_prefix_wrong_secret_is_401(client, banks):
    forged = banks.a_key[:13] + "x" * 43  # "sbk_<8 hex>_" of bank A's real key, another secret
    assert forged != banks.a_key
    _assert_401(client.get(URL, headers={"Authorization": f"Bearer {forged}"}))


def test_key_is_case_sensitive_and_exact(client, banks):
    _assert_401(client.get(URL, headers={"Authorization": f"Bearer {banks.a_key}x"}))
    _assert_401(client.get(URL, headers={"Authorization": f"Bearer {banks.a_key.swapcase()}"}))


def test_valid_keys_identify_their_own_bank(client, banks, ledger):
    ledger.ticket(bank="中国建设银行")
    ledger.ticket(bank="中国工商银行")
    a = client.get(URL, headers=banks.a)
    b = client.get(URL, headers=banks.b)
    assert a.status_code == b.status_code == 200
    assert {t["bank"] for t in a.json()["data"]} == {"中国建设银行"}
    assert {t["bank"] for t in b.json()["data"]} == {"中国工商银行"}
    # the scheme name is case-insensitive (RFC 7235)
    assert client.get(URL, headers={"Authorization": f"bearer {banks.a_key}"}).status_code == 200


def test_unauthenticated_request_with_bad_body_is_still_401(client, banks, ledger):
    number = ledger.ticket()
    _assert_401(client.post(f"{URL}/{number}/report", json={"process": 5}))
