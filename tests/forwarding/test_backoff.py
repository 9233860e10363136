"""Back-off between attempts: backoff.expo, capped, with full jitter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.forwarding import backoff_delay, retry_delay


def test_grows_exponentially_then_caps():
    delays = [backoff_delay(n, base_delay=30, max_delay=3600) for n in range(1, 11)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_attempts_start_at_one():
    with pytest.raises(ValueError):
        backoff_delay(0, base_delay=1, max_delay=2)


@given(attempts=st.integers(min_value=1, max_value=2000),
       base=st.floats(min_value=0.01, max_value=100), cap=st.floats(min_value=100, max_value=86400))
def test_full_jitter_stays_between_zero_and_the_capped_backoff(attempts, base, cap):
    ceiling = backoff_delay(attempts, base_delay=base, max_delay=cap)
    assert ceiling == min(base * 2.0 ** min(attempts - 1, 100), cap)
    delay = retry_delay(attempts, base_delay=base, max_delay=cap)
    assert 0 <= delay <= ceiling <= cap


def test_jitter_spreads_delays():
    delays = {round(retry_delay(5, base_delay=10, max_delay=1000), 6) for _ in range(50)}
    assert len(delays) > 40 and max(delays) <= 160


def test_retry_after_is_honoured_up_to_the_cap():
    assert retry_delay(1, base_delay=1, max_delay=600, jitter=None, retry_after=120) == 120
    assert retry_delay(1, base_delay=1, max_delay=600, jitter=None, retry_after=99999) == 600
    assert retry_delay(3, base_delay=100, max_delay=600, jitter=None, retry_after=5) == 400
