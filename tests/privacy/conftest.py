"""Generators for the privacy tests, written independently of bot.privacy's own code."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

# GB 11643-1999: weights 2^(17-i) mod 11, check character indexed by the weighted sum mod 11.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"

# Real region codes: Qingdao's districts and cities, and a few elsewhere.
REGIONS = ["370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281",
           "370283", "370285", "110101", "110105", "310104", "440305", "510107", "650102"]


def check_char(body17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(body17, WEIGHTS)) % 11]


def make_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    """body + the digit that makes it pass the Luhn check."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


valid_ids = st.builds(
    make_id,
    st.sampled_from(REGIONS),
    st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    st.integers(0, 999),
)

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)

bank_cards = st.builds(
    lambda prefix, body: luhn_complete(prefix + body),
    st.sampled_from(["6222", "6217", "6228", "6214", "4367"]),
    st.integers(11, 14).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
)

ticket_numbers = st.builds(
    lambda kind, day, seq: f"{kind}-{day:%Y%m%d}-{seq:04d}",
    st.sampled_from(["ZB", "DB"]),
    st.dates(min_value=date(2017, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(1, 9999),
)
