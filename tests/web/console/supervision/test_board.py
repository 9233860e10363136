"""The 三率 board page: each rate with the counts behind it and a link to its tickets; the city sees
every bank and district, a district supervisor only their district's tickets; a month without tickets
shows "—"."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.board.conftest import AS_OF, CCB, ICBC, LICANG, SHINAN, calendar, seeded  # noqa: F401 - fixtures

PAGE = "/console/supervision/board"


@pytest.fixture
def december(clock, seeded):  # noqa: F811 - the fixture imported above
    clock.set(AS_OF)
    return seeded


def _cells(html: str, key: str) -> dict[str, str]:
    row = re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row, key
    cells = re.findall(r'data-measure="(\w+)">(.*?)</t[dh]>', row.group(1), re.S)
    return {m: re.sub(r"<[^>]+>", "", v).strip() for m, v in cells}


def test_the_city_sees_every_bank_with_its_counts(signed_in, december):
    html = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-12&by=bank").text)
    assert _cells(html, CCB) == {"response": "3 / 4 · 75.0%", "completion": "2 / 4 · 50.0%",
                                 "satisfaction": "0 / 1 · 0.0%"}
    assert _cells(html, ICBC) == {"response": "—", "completion": "—", "satisfaction": "—"}
    assert _cells(html, "total")["response"] == "3 / 4 · 75.0%"
    districts = unescape(signed_in("admin").get(f"{PAGE}?period=2026-12&by=district").text)
    assert _cells(districts, LICANG)["completion"] == "2 / 3 · 66.7%"
    assert _cells(districts, SHINAN)["response"] == "1 / 1 · 100.0%"


def test_a_rate_links_to_the_tickets_it_counts(signed_in, december):
    city = signed_in("city_supervisor")
    html = unescape(city.get(f"{PAGE}?period=2026-12&by=bank").text)
    link = re.search(r'href="([^"]*measure=completion[^"]*key=[^"]+)"', html).group(1)
    tickets = unescape(city.get(link).text)
    counted, pending = tickets.split('id="counted"')[1].split('id="pending"')
    for name in ("t1", "t2", "t3", "t6"):
        assert f'href="/console/supervision/tickets/{december[name]}"' in counted
    assert december["t4"] not in tickets  # another bank's
    assert "超时" in counted and "按时" in counted
    icbc = unescape(city.get(f"{PAGE}/tickets?period=2026-12&by=bank&measure=response&key={ICBC}").text)
    assert december["t4"] in icbc.split('id="pending"')[1]


def test_a_district_supervisor_sees_only_their_district(signed_in, december):
    shinan = signed_in("district_supervisor_shinan")
    html = unescape(shinan.get(f"{PAGE}?period=2026-12&by=district").text)
    assert f'data-key="{LICANG}"' not in html and _cells(html, SHINAN)["completion"] == "0 / 1 · 0.0%"
    banks = unescape(shinan.get(f"{PAGE}?period=2026-12&by=bank").text)
    assert _cells(banks, CCB)["response"] == "1 / 1 · 100.0%"  # t3 only
    listed = unescape(shinan.get(f"{PAGE}/tickets?period=2026-12&by=bank&measure=response&key={CCB}").text)
    assert december["t3"] in listed and not any(december[n] in listed for n in ("t1", "t2", "t6"))


def test_a_month_without_tickets_shows_a_dash_not_zero(signed_in, december):
    html = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-10").text)
    assert "这一期间没有转办单，也没有回访结果" in html
    assert _cells(html, "total") == {"response": "—", "completion": "—", "satisfaction": "—"} and "0.0%" not in html


def test_a_bad_period_is_refused_in_chinese_and_operators_are_refused(signed_in):
    assert signed_in("operator").get(PAGE).status_code == 403
    page = signed_in("city_supervisor").get(f"{PAGE}?period=2026-13")
    assert page.status_code == 400 and "筛选条件有误" in page.text


def test_the_city_sees_the_assistants_own_figures_and_a_district_does_not(signed_in, december, engine):
    import json

    from sqlmodel import Session

    from bot.outcomes import ingest
    from tests.outcomes.test_ingest import EVENTS

    with Session(engine) as session:
        for name in ("answered", "recovered", "requested_handoff", "unclear_to_the_end"):
            for event in EVENTS[name]:
                ingest(session, body=json.dumps(event).encode(), now=AS_OF)
        session.commit()
    html = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-12").text)
    figures = html.split('id="assistant-figures"')[1]
    cells = dict(re.findall(r'data-outcome="(\w+)"><td>[^<]*</td>\s*<td class="num">([^<]*)</td>', figures))
    assert cells == {"answered": "2 / 4 · 50.0%", "handed_off": "1 / 4 · 25.0%", "not_understood": "1 / 4 · 25.0%"}
    october = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-10").text).split('id="assistant-figures"')[1]
    assert "—" in october and "%" not in october.split("</table>")[0].split("<tbody>")[1]
    district = unescape(signed_in("district_supervisor").get(f"{PAGE}?period=2026-12").text)
    assert 'data-outcome="answered"' not in district


@pytest.mark.parametrize(("page", "grouped"), [(PAGE, True), ("/console/supervision/satisfaction", True),
                                               ("/console/supervision/figures", False)])
def test_the_filter_offers_the_last_months_and_years_and_keeps_the_choice(signed_in, december, page, grouped):
    html = unescape(signed_in("city_supervisor").get(f"{page}?period=2026-11&by=district").text)
    form = re.search(r'<form method="get" action="([^"]+)" class="sv-filters no-print">(.*?)</form>', html, re.S)
    assert form and form.group(1) == page  # the filter stays on its own page
    periods = re.findall(r'<option value="([\d-]+)"( selected)?>', form.group(2))
    # twelve months back from the clock's month (December 2026), then three years, newest first
    assert [value for value, _ in periods] == [f"2026-{m:02d}" for m in range(12, 0, -1)] + ["2026", "2025", "2024"]
    assert [value for value, selected in periods if selected] == ["2026-11"]
    assert bool(re.search(r'<option value="district" selected>', form.group(2))) is grouped
